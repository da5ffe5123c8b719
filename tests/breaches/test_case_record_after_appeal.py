"""An appeal does not rewrite history: both decisions stay on the record, each with who,
when and reasons, and every view says which outcome is in force (issue 15, defects 4 and 6)."""

import pytest
from django.core import mail
from django.urls import reverse

from breaches.models import State
from notifications.models import Notification
from tests.breaches.conftest import decide_appeal, pack_text, text_of


@pytest.fixture
def appealed(make_case, org, clause):
    return decide_appeal(make_case(), org=org, clauses_breached=[clause("10.4 b)")])


def _case_page(team_client, case):
    return text_of(team_client("hr").get(
        reverse("breaches:case_detail", args=[case.pk])).content.decode())


def _about_me(client_as, case):
    return text_of(client_as("colleague").get(
        reverse("breaches:about_me", args=[case.pk])).content.decode())


def test_the_first_decision_is_kept_when_an_appeal_is_upheld(appealed, org):
    appealed.refresh_from_db()
    assert appealed.outcome == "written_warning"
    assert appealed.decided_by == org.principal
    assert appealed.appeal_revised_outcome == "management_advice"
    assert appealed.appeal_decided_by == org.ceo
    assert appealed.in_force["label"] == "Management advice"


def test_the_case_page_shows_both_decisions_and_which_is_in_force(team_client, appealed):
    page = _case_page(team_client, appealed)
    assert ("Outcome in force: Management advice, decided by Chief Executive on "
            in page)
    assert "First decision Replaced on appeal Outcome Written warning Decided by Principal "\
           "North" in page
    assert "The post was offensive." in page  # reasons for the first decision
    assert "Decided by Chief Executive" in page
    assert "First offence; apologised at once." in page  # reasons for the appeal decision


def test_no_appeal_deadline_is_shown_once_an_appeal_was_lodged(team_client, client_as,
                                                              appealed, org):
    assert "Appeal deadline" not in _case_page(team_client, appealed)
    assert "Appeal deadline" not in _about_me(client_as, appealed)
    assert "Appeal deadline" not in pack_text(appealed, org.hr)


def test_the_person_concerned_sees_both_decisions(client_as, appealed):
    page = _about_me(client_as, appealed)
    assert "Outcome in force: Management advice" in page
    assert "Written warning" in page and "Principal North" in page
    assert "Reasons for the appeal decision First offence; apologised at once." in page


def test_the_case_pack_shows_both_decisions_and_the_outcome_in_force(appealed, org):
    text = pack_text(appealed, org.hr)
    assert "Outcome in force: Management advice, decided by Chief Executive" in text
    assert "First decision (replaced on appeal)" in text
    assert "Outcome Written warning Decided by Principal North" in text
    assert "Decided by Chief Executive" in text


def test_a_dismissed_appeal_leaves_the_first_decision_in_force(make_case, org, clause,
                                                              team_client):
    case = decide_appeal(make_case(), org=org, clauses_breached=[clause("10.4 b)")],
                         result="dismissed")
    page = _case_page(team_client, case)
    assert "Outcome in force: Written warning, decided by Principal North" in page
    assert "confirmed on appeal by Chief Executive" in page


def test_an_upheld_appeal_without_a_new_outcome_overturns_the_sanction(make_case, org, clause):
    case = decide_appeal(make_case(), org=org, clauses_breached=[clause("10.4 b)")],
                         revised="")
    assert case.in_force["label"] == "No sanction: the outcome was overturned on appeal"
    assert case.outcome == "written_warning"


def test_the_statistics_count_the_outcome_in_force(appealed):
    from breaches.selectors import anonymised_statistics

    assert anonymised_statistics()["by_outcome"] == {"Management advice": 1}


# Emails (defect 6): through the notifications outbox.

def test_lodging_an_appeal_tells_the_hearer_the_handler_and_the_person_concerned(
        make_case, org, clause, django_capture_on_commit_callbacks):
    from breaches import services
    from tests.breaches.conftest import advance_to

    case = advance_to(make_case(), [State.TRIAGE, State.INVESTIGATION, State.OUTCOME],
                      actor=org.principal, clauses_breached=[clause("10.4 b)")])
    with django_capture_on_commit_callbacks(execute=True):
        services.case_transition(case=case, target=State.APPEAL, actor=org.colleague,
                                 reason="Too severe.")
    lodged = Notification.objects.filter(kind__in=["breaches.appeal_lodged",
                                                   "breaches.appeal_to_hear"])
    assert {n.recipient for n in lodged} == {org.ceo, org.principal, org.colleague}
    assert {m.to[0] for m in mail.outbox} >= {org.ceo.email, org.principal.email,
                                              org.colleague.email}


def test_deciding_an_appeal_tells_the_person_concerned_and_the_handler(
        make_case, org, clause, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decide_appeal(make_case(), org=org, clauses_breached=[clause("10.4 b)")])
    decided = Notification.objects.filter(kind="breaches.appeal_decided")
    assert {n.recipient for n in decided} == {org.colleague, org.principal}
    to_concerned = decided.get(recipient=org.colleague)
    assert "Management advice" in to_concerned.body
    assert org.colleague.email in {m.to[0] for m in mail.outbox}
