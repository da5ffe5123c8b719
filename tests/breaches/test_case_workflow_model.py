"""A model-based test of the case workflow (Hypothesis RuleBasedStateMachine).

Random sequences of every move in the transition table, made by people who may and may not
make them, mixed with evidence, requests (tasks) and their answers, messages, notifying the
person concerned, appeals, legal hold and the appeal window passing. After every step each
case's page, its case list row, the person concerned's page, the reporter's page, the timeline
and the case pack's text must tell the same story as a simple model (state, outcome in force
and who decided it, safeguarding flag, open tasks); nobody outside the case team may open any
of it; and no report's text may appear in another report's pages.

Bounded for CI (`max_examples`, `stateful_step_count`): about a minute on a loaded 2-core
machine. A failing sequence Hypothesis finds is to be kept as a regular test at the bottom.
"""

import datetime
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from breaches import services
from breaches.models import AppealResult, Case, Outcome, State
from breaches.workflow import CASES, WORKING_STATES, moves_from
from tests.breaches.conftest import PNG_BYTES, fresh_auth, pack_text, text_of, upload

PEOPLE = ["principal", "ceo", "hr", "colleague", "staff", "outsider"]
OUTSIDERS = ["outsider", "other_principal", "staff", "colleague"]
REPORTER_STATUS = {State.REPORTED: "Received", State.NO_CASE: "Closed", State.CLOSED: "Closed"}


class CaseModel:
    """What the record should say about one case."""

    def __init__(self, case: Case, token: str, safeguarding: bool):
        self.pk, self.reference, self.token = case.pk, case.reference, token
        self.state = State.REPORTED
        self.safeguarding = safeguarding
        self.confirmed: bool | None = None
        self.notified = False
        self.outcome = ""
        self.decided_by = ""
        self.deadline_passed = False
        self.hearer = ""
        self.appeal_result = ""
        self.revised = ""
        self.appeal_decider = ""
        self.open_tasks = 0
        self.task_ids: list[int] = []
        self.moves = 0
        self.evidence = 0

    @property
    def is_safeguarding(self) -> bool:
        return self.confirmed if self.confirmed is not None else self.safeguarding

    def in_force(self) -> tuple[str, str] | None:
        if not self.outcome:
            return None
        if self.appeal_result == AppealResult.UPHELD:
            label = (Outcome(self.revised).label if self.revised
                     else "No sanction: the outcome was overturned on appeal")
            return label, self.appeal_decider
        return Outcome(self.outcome).label, self.decided_by

    def roles(self, name: str) -> set[str]:
        found = {"principal": {"handler", "principal"}, "ceo": {"ceo"}, "hr": {"hr"}}.get(
            name, set())
        if name == "colleague" and self.notified:
            found = {"concerned"}
        if name == "staff":
            found = {"reporter"}
        if self.hearer and name == self.hearer:
            found = found | {"appeal_hearer"}
        return found


class CaseWorkflow(RuleBasedStateMachine):
    org = None
    clauses: list = []

    def __init__(self):
        super().__init__()
        org = self.org
        self.people = {name: getattr(org, name) for name in
                       PEOPLE + ["other_principal", "board", "manager"]}
        self.clients: dict[str, Client] = {}
        self.cases: list[CaseModel] = []

    def client(self, name: str) -> Client:
        if name not in self.clients:
            client = Client()
            client.force_login(self.people[name])
            self.clients[name] = fresh_auth(client, self.people[name])
        return self.clients[name]

    # ------------------------------------------------------------------ reports

    @initialize(safeguarding=st.booleans())
    def first_report(self, safeguarding):
        self._report(safeguarding)

    @rule(safeguarding=st.booleans())
    def another_report(self, safeguarding):
        if len(self.cases) < 2:
            self._report(safeguarding)

    def _report(self, safeguarding: bool) -> None:
        token = f"TOKEN{uuid.uuid4().hex[:10]}"
        client = self.client("staff")
        page = client.get(reverse("breaches:report_new")).content.decode()
        draft_token = page.split('name="draft_token" value="')[1].split('"')[0]
        data = {"concerned_kind": "person", "concerned": self.people["colleague"].pk,
                "platform": "facebook", "links": f"https://www.facebook.com/{token}/posts/1",
                "seen_at": (timezone.localtime() - datetime.timedelta(hours=2)
                            ).strftime("%Y-%m-%dT%H:%M"),
                "description": f"Report {token}: a photo of a pupil.", "identity": "named",
                "clauses": [self.clauses[len(self.cases) % len(self.clauses)].pk],
                "draft_token": draft_token}
        if safeguarding:
            data["safeguarding"] = "on"
        client.post(reverse("breaches:report_autosave"), data)
        assert client.post(reverse("breaches:report_new"),
                           {**data, "action": "submit"}).status_code == 302
        # A late autosave must not resurrect it.
        assert client.post(reverse("breaches:report_autosave"), data).status_code == 409
        case = Case.objects.get(description__contains=token)
        self.cases.append(CaseModel(case, token, safeguarding))

    def _pick(self, index: int) -> tuple[CaseModel, Case]:
        model = self.cases[index % len(self.cases)]
        return model, Case.objects.get(pk=model.pk)

    # ------------------------------------------------------------------ moves

    @rule(index=st.integers(0, 1), move=st.sampled_from(list(CASES)), who=st.sampled_from(PEOPLE),
          confirmed=st.booleans(), outcome=st.sampled_from(Outcome.values),
          upheld=st.booleans(), revised=st.sampled_from(["", *Outcome.values]))
    def make_a_move(self, index, move, who, confirmed, outcome, upheld, revised):
        """Any move of the table, by anyone: refused unless it is permitted now."""
        self._move(index, move, who, confirmed, outcome, upheld, revised)

    def _move(self, index, move, who, confirmed, outcome, upheld, revised):
        model, case = self._pick(index)
        reason, data = "Reason given.", {}
        if move.target == State.TRIAGE:
            data = {"severity": "medium", "safeguarding_confirmed": confirmed}
        elif move.target == State.OUTCOME:
            data = {"outcome": outcome, "outcome_reasons": f"Reasons {model.token}.",
                    "clauses_breached": self.clauses[:1]}
        elif move.name == "decide_appeal":
            data = {"appeal_result": "upheld" if upheld else "dismissed",
                    "appeal_reasons": "Appeal reasons.", "revised_outcome": revised}
        actual = CASES.between(case.state, move.target)  # the move this really is
        allowed = actual is not None and bool(actual.who & model.roles(who))
        if actual is not None and actual.name == "close":
            allowed = allowed and model.deadline_passed
        if move.target == State.APPEAL:
            allowed = allowed and not model.deadline_passed
        if actual is not None and actual.name == "decide_appeal":
            data = {"appeal_result": "upheld" if upheld else "dismissed",
                    "appeal_reasons": "Appeal reasons.", "revised_outcome": revised}
        try:
            services.case_transition(case=case, target=move.target, actor=self.people[who],
                                     reason=reason, data=data)
        except services.CaseError:
            assert not allowed, f"{who} was refused {move.label} from {case.state}"
            assert Case.objects.get(pk=model.pk).state == model.state
            return
        assert allowed, f"{who} was allowed {move.label} from {model.state}"
        move = actual
        model.state = move.target
        model.moves += 1
        if move.target == State.TRIAGE:
            model.confirmed = confirmed
        elif move.target == State.OUTCOME:
            model.outcome, model.decided_by = outcome, self.people[who].full_name
            model.notified = True
        elif move.target == State.APPEAL:
            model.hearer = "hr" if model.decided_by == self.people["ceo"].full_name else "ceo"
        elif move.name == "decide_appeal":
            model.appeal_result = "upheld" if upheld else "dismissed"
            model.revised = revised if upheld else ""
            model.appeal_decider = self.people[who].full_name
        if move.target in {State.CLOSED, State.NO_CASE}:
            model.open_tasks = 0
            model.task_ids = []

    @rule(index=st.integers(0, 1), data=st.data())
    def advance(self, index, data):
        """A move out of the case's current state, usually by someone permitted to make it
        (so that cases reach outcomes, appeals and closing)."""
        model, case = self._pick(index)
        moves = moves_from(case.state)
        if not moves:
            return
        move = data.draw(st.sampled_from(moves))
        permitted = [name for name in PEOPLE if move.who & model.roles(name)]
        who = data.draw(st.sampled_from(permitted or PEOPLE) if data.draw(st.integers(0, 3))
                        else st.sampled_from(PEOPLE))
        self._move(
            index, move, who, data.draw(st.booleans()),
            data.draw(st.sampled_from(Outcome.values)), data.draw(st.booleans()),
            data.draw(st.sampled_from(["", *Outcome.values])))

    @rule(index=st.integers(0, 1), work=st.sampled_from(
        ["task", "answer", "evidence", "notify", "message", "hold", "window"]),
        who=st.sampled_from(PEOPLE), flag=st.booleans())
    def do_some_work(self, index, work, who, flag):
        """One piece of work on the case, by someone who may or may not do it."""
        {
            "task": lambda: self.ask_for_something(index, who, flag),
            "answer": lambda: self.answer_a_request(index, flag),
            "evidence": lambda: self.add_evidence(index, who),
            "notify": lambda: self.notify_the_person_concerned(index, who),
            "message": lambda: self.write_to_the_reporter(index),
            "hold": lambda: self.legal_hold(index, who, flag),
            "window": lambda: self.the_appeal_window_passes(index),
        }[work]()

    def the_appeal_window_passes(self, index):
        model, case = self._pick(index)
        if case.appeal_deadline and not model.deadline_passed:
            Case.objects.filter(pk=case.pk).update(
                appeal_deadline=timezone.localdate() - datetime.timedelta(days=1))
            model.deadline_passed = True

    # ------------------------------------------------------------------ work on the case

    def ask_for_something(self, index, who, removal):
        model, case = self._pick(index)
        allowed = bool(model.roles(who) & {"handler", "ceo"}) and case.state in WORKING_STATES
        kind = "removal_request" if removal else "evidence_request"
        try:
            item = services.case_item_add(case=case, actor=self.people[who], kind=kind,
                                          body=f"Request on {model.token}.",
                                          addressed_to=self.people["staff"])
        except services.CaseError:
            assert not allowed
            return
        assert allowed
        model.open_tasks += 1
        model.task_ids.append(item.pk)
        if removal:
            model.notified = True

    def answer_a_request(self, index, complied):
        model, case = self._pick(index)
        if not model.task_ids:
            return
        services.case_item_record_compliance(case=case, actor=self.people["principal"],
                                             item_id=model.task_ids.pop(), complied=complied)
        model.open_tasks -= 1

    def add_evidence(self, index, who):
        model, case = self._pick(index)
        allowed = bool(model.roles(who) & {"handler", "ceo"}) and model.state not in {
            State.CLOSED, State.NO_CASE}
        try:
            services.case_evidence_add(case=case, actor=self.people[who],
                                       upload=upload("shot.png", PNG_BYTES))
        except services.CaseError:
            assert not allowed
            return
        assert allowed
        model.evidence += 1

    def notify_the_person_concerned(self, index, who):
        model, case = self._pick(index)
        allowed = bool(model.roles(who) & {"handler", "ceo"})
        try:
            services.case_notify_concerned(case=case, actor=self.people[who],
                                           message=f"You are told about {model.token}.")
        except services.CaseError:
            assert not allowed
            return
        assert allowed
        model.notified = True

    def write_to_the_reporter(self, index):
        model, case = self._pick(index)
        services.case_message_send(case=case, actor=self.people["principal"], to="reporter",
                                   body=f"Thank you for {model.token}.")

    def legal_hold(self, index, who, hold):
        model, case = self._pick(index)
        allowed = bool(model.roles(who) & {"hr", "ceo"})
        try:
            services.case_legal_hold(case=case, actor=self.people[who], hold=hold,
                                     reason="Tribunal claim.")
        except services.CaseError:
            assert not allowed
            return
        assert allowed

    # ------------------------------------------------------------------ the same story

    @invariant()
    def every_view_tells_the_same_story(self):
        for model in self.cases:
            self._check(model)

    def _check(self, model: CaseModel) -> None:
        case = Case.objects.get(pk=model.pk)
        label = State(model.state).label
        assert case.state == model.state
        others = [m.token for m in self.cases if m is not model]

        page = text_of(self.client("hr").get(
            reverse("breaches:case_detail", args=[model.pk])).content.decode())
        assert f"Case {model.reference} {label}" in page
        in_force = model.in_force()
        if in_force:
            assert f"Outcome in force: {in_force[0]}, decided by {in_force[1]}" in page
        else:
            assert "Outcome in force" not in page
        assert ("Flags Safeguarding" in page) == model.is_safeguarding
        assert ("No open requests." in page) == (model.open_tasks == 0)
        assert ("Appeal deadline" in page) == (model.state == State.OUTCOME)
        assert not any(token in page for token in others)

        row = text_of(self.client("hr").get(reverse("breaches:case_list"), {
            "state": "all", "q": model.reference}).content.decode())
        row = row[row.index(model.reference):]
        assert label in row[:200]
        assert ("Safeguarding" in row[:300]) == model.is_safeguarding

        events = list(case.events.filter(kind="transition"))
        assert len(events) == model.moves
        if events:
            assert events[-1].to_state == model.state

        about = self.client("colleague").get(reverse("breaches:about_me", args=[model.pk]))
        assert about.status_code == (200 if model.notified else 404)
        if model.notified:
            text = text_of(about.content.decode())
            assert f"Status {label}" in text
            if in_force:
                assert f"Outcome in force: {in_force[0]}, decided by {in_force[1]}" in text
            assert not any(token in text for token in others)

        mine = text_of(self.client("staff").get(
            reverse("breaches:my_report", args=[model.pk])).content.decode())
        assert f"Status {REPORTER_STATUS.get(model.state, 'Being looked into')}" in mine
        assert not any(token in mine for token in others)

        pack = pack_text(case, self.people["hr"])
        assert f"Stage {label}" in pack
        assert f"Open requests {model.open_tasks}" in pack
        if in_force:
            assert f"Outcome in force {in_force[0]}, decided by {in_force[1]}" in pack
        assert not any(token in pack for token in others)

        for name in OUTSIDERS:
            client = self.client(name)
            assert client.get(reverse("breaches:case_detail", args=[model.pk])
                              ).status_code == 404, name
            assert client.get(reverse("auditpacks:case_pack", args=[model.pk])
                              ).status_code == 404, name


@pytest.mark.django_db
def test_every_view_of_a_case_tells_the_same_story(org, policy_version):
    from hypothesis.stateful import run_state_machine_as_test

    CaseWorkflow.org = org
    CaseWorkflow.clauses = list(policy_version.clauses.filter(number__in=[
        "10.4 b)", "10.6 b)"]).order_by("order"))
    run_state_machine_as_test(CaseWorkflow, settings=settings(
        max_examples=3, stateful_step_count=15, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.function_scoped_fixture]))


def _machine(org, policy_version) -> CaseWorkflow:
    CaseWorkflow.org = org
    CaseWorkflow.clauses = list(policy_version.clauses.filter(number__in=[
        "10.4 b)", "10.6 b)"]).order_by("order"))
    return CaseWorkflow()


def _by_label(label: str):
    return next(m for m in CASES if m.label == label)


@pytest.mark.django_db
def test_a_whole_case_life_keeps_every_view_in_step(org, policy_version):
    """A fixed sequence through every stage (the kind of sequence the random machine may
    reach only sometimes): safeguarding triage, a request left open, an outcome, the appeal
    window, an appeal by the person concerned, a refused decision by the first decision-maker,
    an upheld appeal with a new outcome, and closing."""
    machine = _machine(org, policy_version)
    check = machine.every_view_tells_the_same_story
    machine.first_report(safeguarding=False)
    machine.another_report(safeguarding=True)
    check()
    steps = [
        ("Start triage", "principal"), ("Open a formal investigation", "staff"),
        ("Open a formal investigation", "principal"),
    ]
    for label, who in steps:
        machine._move(0, _by_label(label), who, True, "written_warning", True,
                      "management_advice")
        check()
    machine.ask_for_something(0, "principal", True)
    machine.ask_for_something(0, "hr", False)  # refused: HR is not on the case team's work
    check()
    for label, who in [("Record the outcome", "principal"), ("Lodge an appeal", "outsider"),
                       ("Lodge an appeal", "colleague"), ("Decide the appeal", "principal"),
                       ("Decide the appeal", "ceo")]:
        machine._move(0, _by_label(label), who, True, "written_warning", True,
                      "management_advice")
        check()
    model = machine.cases[0]
    assert model.state == State.CLOSED and model.open_tasks == 0
    assert model.in_force() == ("Management advice", org.ceo.full_name)
    machine.legal_hold(0, "hr", True)
    check()


@pytest.mark.django_db
def test_a_case_closed_after_the_appeal_window_keeps_its_first_decision(org, policy_version):
    machine = _machine(org, policy_version)
    machine.first_report(safeguarding=False)
    for label in ["Start triage", "Resolve informally", "Escalate to a formal investigation"]:
        machine._move(0, _by_label(label), "ceo", False, "final_written_warning", False, "")
    machine.ask_for_something(0, "ceo", False)
    machine._move(0, _by_label("Record the outcome"), "ceo", False, "final_written_warning",
                  False, "")
    check = machine.every_view_tells_the_same_story
    check()
    machine._move(0, _by_label("Close the case"), "principal", False, "", False, "")  # refused
    machine.the_appeal_window_passes(0)
    machine._move(0, _by_label("Lodge an appeal"), "colleague", False, "", False, "")  # late
    machine._move(0, _by_label("Close the case"), "principal", False, "", False, "")
    check()
    assert machine.cases[0].in_force() == ("Final written warning", org.ceo.full_name)
