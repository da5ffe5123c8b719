"""Every move of the transition table, made by a role allowed to and refused to others."""

import pytest
import time_machine

from audit.models import AuditEvent
from breaches import services
from breaches.models import CaseEvent, State
from breaches.workflow import CASES
from tests.breaches.conftest import advance_to

# The path that reaches each move's source state, and who the test org gives each capacity.
PATH_TO = {
    State.REPORTED: [],
    State.TRIAGE: [State.TRIAGE],
    State.INFORMAL: [State.TRIAGE, State.INFORMAL],
    State.INVESTIGATION: [State.TRIAGE, State.INVESTIGATION],
    State.OUTCOME: [State.TRIAGE, State.INVESTIGATION, State.OUTCOME],
    State.APPEAL: [State.TRIAGE, State.INVESTIGATION, State.OUTCOME, State.APPEAL],
}
PEOPLE = ["principal", "ceo", "hr", "colleague", "staff", "manager", "other_principal",
          "outsider", "board", "admin"]


def _data_for(target, clause):
    if target == State.TRIAGE:
        return "", {"severity": "high", "safeguarding_confirmed": False}
    if target == State.OUTCOME:
        return "", {"outcome": "written_warning", "outcome_reasons": "Offensive post.",
                    "clauses_breached": [clause("10.4 b)")]}
    if target == State.CLOSED:
        return "Reason given.", {"appeal_result": "dismissed", "appeal_reasons": "No merit."}
    return "Reason given.", {}


def _case_at(org, make_case, clause, state):
    case = make_case(concerned="colleague")
    moves = PATH_TO[state]
    for target in moves:
        actor = org.colleague if target == State.APPEAL else org.principal
        reason, data = _data_for(target, clause)
        if target == State.APPEAL:
            reason = "The sanction is too severe."
        case = services.case_transition(case=case, target=target, actor=actor, reason=reason,
                                        data=data)
    return case


#: Who in the test org may make each move on a case about `colleague`, reported by `staff`,
#: handled by `principal` (who also made the first decision), appeal heard by `ceo`.
EXPECTED = {
    (State.REPORTED, State.TRIAGE): {"principal", "ceo"},
    (State.TRIAGE, State.NO_CASE): {"principal", "ceo"},
    (State.TRIAGE, State.INFORMAL): {"principal", "ceo"},
    (State.TRIAGE, State.INVESTIGATION): {"principal", "ceo"},
    (State.INFORMAL, State.INVESTIGATION): {"principal", "ceo"},
    (State.INFORMAL, State.CLOSED): {"principal", "ceo"},
    (State.INVESTIGATION, State.OUTCOME): {"principal", "ceo"},
    (State.OUTCOME, State.APPEAL): {"colleague", "hr"},
    (State.OUTCOME, State.CLOSED): {"principal", "ceo"},
    (State.APPEAL, State.CLOSED): {"ceo"},
}


def test_the_expectations_cover_every_move_of_the_table():
    assert set(EXPECTED) == CASES.pairs()


@pytest.mark.parametrize("move", list(CASES), ids=lambda m: m.name)
@pytest.mark.parametrize("name", PEOPLE)
def test_each_move_is_allowed_exactly_for_the_roles_expected(
        org, make_case, clause, move, name):
    (source,) = move.sources
    case = _case_at(org, make_case, clause, source)
    allowed = name in EXPECTED[(source, move.target)]
    reason, data = _data_for(move.target, clause)
    if move.target == State.APPEAL:
        reason = "Grounds."
    travel = None
    if move.name == "close":
        travel = case.appeal_deadline.toordinal() + 1
    if travel:
        import datetime

        ctx = time_machine.travel(datetime.datetime.fromordinal(travel).replace(hour=12),
                                  tick=False)
        ctx.start()
    try:
        if allowed:
            result = services.case_transition(case=case, target=move.target,
                                              actor=getattr(org, name), reason=reason, data=data)
            assert result.state == move.target
        else:
            with pytest.raises(services.CaseError):
                services.case_transition(case=case, target=move.target,
                                         actor=getattr(org, name), reason=reason, data=data)
            case.refresh_from_db()
            assert case.state == source
    finally:
        if travel:
            ctx.stop()


def test_a_move_not_in_the_table_is_refused(org, make_case):
    case = make_case()
    assert CASES.between(State.REPORTED, State.CLOSED) is None
    with pytest.raises(services.CaseError, match="cannot move"):
        services.case_transition(case=case, target=State.CLOSED, actor=org.ceo, reason="x")


def test_each_move_records_actor_time_and_reason_in_timeline_and_audit(org, make_case):
    case = make_case()
    case = advance_to(case, [State.TRIAGE], actor=org.principal)
    services.case_transition(case=case, target=State.NO_CASE, actor=org.principal,
                             reason="A fair opinion, nothing to answer.")
    event = CaseEvent.objects.get(case=case, to_state=State.NO_CASE)
    assert event.actor == org.principal
    assert event.reason == "A fair opinion, nothing to answer."
    assert event.at is not None
    audit = AuditEvent.objects.get(action="breaches.case_no_case")
    assert audit.actor == org.principal
    assert audit.changes["reason"] == "A fair opinion, nothing to answer."


def test_a_move_without_a_reason_is_refused(org, make_case):
    case = advance_to(make_case(), [State.TRIAGE], actor=org.principal)
    with pytest.raises(services.CaseError, match="reason"):
        services.case_transition(case=case, target=State.NO_CASE, actor=org.principal,
                                 reason="  ")


def test_the_appeal_is_heard_by_someone_other_than_the_decision_maker(org, make_case, clause):
    case = advance_to(make_case(), [State.TRIAGE, State.INVESTIGATION, State.OUTCOME],
                      actor=org.principal, clauses_breached=[clause("10.4 b)")])
    case = services.case_transition(case=case, target=State.APPEAL, actor=org.colleague,
                                    reason="Too harsh.")
    assert case.appeal_hearer == org.ceo
    with pytest.raises(services.CaseError):
        services.case_transition(case=case, target=State.CLOSED, actor=org.principal,
                                 data={"appeal_result": "upheld", "appeal_reasons": "x"})


def test_when_the_ceo_decided_hr_hears_the_appeal(org, make_case, clause):
    case = make_case()
    case = advance_to(case, [State.TRIAGE, State.INVESTIGATION, State.OUTCOME], actor=org.ceo,
                      clauses_breached=[clause("10.4 b)")])
    case = services.case_transition(case=case, target=State.APPEAL, actor=org.colleague,
                                    reason="Too harsh.")
    assert case.appeal_hearer == org.hr


def test_an_appeal_after_the_window_is_refused(org, make_case, clause):
    case = advance_to(make_case(), [State.TRIAGE, State.INVESTIGATION, State.OUTCOME],
                      actor=org.principal, clauses_breached=[clause("10.4 b)")])
    import datetime

    with time_machine.travel(datetime.datetime.combine(
            case.appeal_deadline + datetime.timedelta(days=1), datetime.time(12)), tick=False):
        with pytest.raises(services.CaseError, match="appeal window closed"):
            services.case_transition(case=case, target=State.APPEAL, actor=org.colleague,
                                     reason="Late.")


def test_a_case_cannot_be_closed_while_the_appeal_window_is_open(org, make_case, clause):
    case = advance_to(make_case(), [State.TRIAGE, State.INVESTIGATION, State.OUTCOME],
                      actor=org.principal, clauses_breached=[clause("10.4 b)")])
    with pytest.raises(services.CaseError, match="appeal window is open"):
        services.case_transition(case=case, target=State.CLOSED, actor=org.principal,
                                 reason="Done.")


def test_recording_an_outcome_notifies_the_person_concerned(org, make_case, clause):
    from notifications.models import Notification

    case = advance_to(make_case(), [State.TRIAGE, State.INVESTIGATION, State.OUTCOME],
                      actor=org.principal, clauses_breached=[clause("10.4 b)")])
    assert case.concerned_notified_at is not None
    assert Notification.objects.filter(recipient=org.colleague, kind="breaches.outcome").exists()


def test_a_sanction_needs_clauses_found_breached(org, make_case):
    case = advance_to(make_case(), [State.TRIAGE, State.INVESTIGATION], actor=org.principal)
    with pytest.raises(services.CaseError, match="clauses"):
        services.case_transition(case=case, target=State.OUTCOME, actor=org.principal, data={
            "outcome": "written_warning", "outcome_reasons": "x", "clauses_breached": []})


def test_triage_cannot_hand_the_case_to_the_person_concerned(org, make_case):
    case = make_case(concerned="principal")
    with pytest.raises(services.CaseError):
        services.case_transition(case=case, target=State.TRIAGE, actor=org.ceo, data={
            "severity": "low", "safeguarding_confirmed": False, "handler": org.principal})
