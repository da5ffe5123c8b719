"""Closing a case settles every open task on the record (issue 15, defect 5)."""

from django.urls import reverse

from breaches import services
from breaches.models import State
from tests.breaches.conftest import advance_to, pack_text, text_of


def _with_removal_request(make_case, org):
    case = advance_to(make_case(), [State.TRIAGE, State.INFORMAL], actor=org.principal)
    services.case_item_add(case=case, actor=org.principal, kind="removal_request",
                           body="Please remove the posting.")
    return case


def test_closing_withdraws_an_unanswered_request(make_case, org):
    case = _with_removal_request(make_case, org)
    services.case_transition(case=case, target=State.CLOSED, actor=org.principal,
                             reason="Resolved after a conversation.")
    item = case.items.get()
    assert item.withdrawn_at is not None and not item.is_open
    assert case.events.filter(kind="tasks_withdrawn").exists()


def test_a_closed_case_lists_no_open_tasks(make_case, org, team_client):
    case = _with_removal_request(make_case, org)
    services.case_transition(case=case, target=State.CLOSED, actor=org.principal,
                             reason="Resolved.")
    page = text_of(team_client("principal").get(
        reverse("breaches:case_detail", args=[case.pk])).content.decode())
    assert "Tasks No open requests." in page
    assert "Withdrawn: the case was closed" in page
    assert "1 open request(s) withdrawn as the case closed" in page


def test_the_case_pack_shows_the_request_as_withdrawn(make_case, org):
    case = _with_removal_request(make_case, org)
    services.case_transition(case=case, target=State.CLOSED, actor=org.principal,
                             reason="Resolved.")
    text = pack_text(case, org.hr)
    assert "Withdrawn: the case was closed" in text
    assert "Not yet answered" not in text


def test_an_answered_request_is_left_as_answered(make_case, org):
    case = _with_removal_request(make_case, org)
    item = case.items.get()
    services.case_item_record_compliance(case=case, actor=org.principal, item_id=item.pk,
                                         complied=True)
    services.case_transition(case=case, target=State.CLOSED, actor=org.principal,
                             reason="Resolved.")
    item.refresh_from_db()
    assert item.complied is True and item.withdrawn_at is None
    assert not case.events.filter(kind="tasks_withdrawn").exists()
