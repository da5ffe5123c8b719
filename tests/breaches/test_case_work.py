"""Investigation work through the case page, and the selectors other apps use."""

import datetime

import pytest
from django.urls import reverse

from breaches import services
from breaches.models import CaseItem, State
from breaches.selectors import (
    anonymised_statistics,
    case_pack_context,
    case_register_rows,
    get_case_for_user,
)
from notifications.models import Notification
from tests.breaches.conftest import PNG_BYTES, advance_to, upload


@pytest.fixture
def investigation(make_case, org):
    return advance_to(make_case(), [State.TRIAGE, State.INVESTIGATION], actor=org.principal)


def test_the_principal_triages_through_the_case_page(team_client, make_case, org):
    case = make_case()
    client = team_client("principal")
    response = client.post(reverse("breaches:case_move", args=[case.pk, "triage"]), {
        "handler": org.principal.pk, "severity": "high", "safeguarding_confirmed": "no",
        "reason": "Clear breach if true."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.TRIAGE and case.severity == "high"
    assert case.safeguarding_confirmed is False


def test_a_refused_move_shows_an_error_not_a_500(team_client, investigation):
    client = team_client("principal")
    response = client.post(reverse("breaches:case_move",
                                   args=[investigation.pk, State.OUTCOME]),
                           {"outcome": "written_warning", "outcome_reasons": "x"})
    assert response.status_code == 200
    assert "Choose the clauses found breached" in response.content.decode()


def test_a_move_the_person_may_not_make_is_not_offered(team_client, investigation):
    page = team_client("hr").get(reverse("breaches:case_detail", args=[investigation.pk]))
    assert "Record the outcome" not in page.content.decode()
    response = team_client("hr").post(
        reverse("breaches:case_move", args=[investigation.pk, State.OUTCOME]), {})
    assert response.status_code == 302
    investigation.refresh_from_db()
    assert investigation.state == State.INVESTIGATION


def test_a_removal_request_has_a_deadline_and_tells_the_person_concerned(
        team_client, investigation, org):
    team_client("principal").post(reverse("breaches:case_item_add", args=[investigation.pk]), {
        "kind": "removal_request", "body": "Please remove the post by Friday."})
    item = investigation.items.get()
    assert item.kind == CaseItem.Kind.REMOVAL_REQUEST
    assert item.addressed_to == org.colleague and item.deadline > datetime.date.today()
    investigation.refresh_from_db()
    assert investigation.concerned_notified_at is not None
    assert Notification.objects.get(recipient=org.colleague,
                                    kind="breaches.removal_request").urgent
    page = team_client("colleague").get(reverse("breaches:about_me", args=[investigation.pk]))
    assert "Please remove the post by Friday." in page.content.decode()


def test_whether_a_request_was_complied_with_is_recorded(team_client, investigation, org):
    item = services.case_item_add(case=investigation, actor=org.principal,
                                  kind="cooperate_request", body="Attend a meeting (3.3).")
    team_client("principal").post(
        reverse("breaches:case_item_compliance", args=[investigation.pk, item.pk]),
        {"complied": "no", "note": "Did not attend"})
    item.refresh_from_db()
    assert item.complied is False
    assert investigation.events.filter(summary__contains="NOT complied").exists()


def test_a_meeting_record_needs_its_date_and_time(team_client, investigation):
    response = team_client("principal").post(
        reverse("breaches:case_item_add", args=[investigation.pk]),
        {"kind": "meeting", "body": "Investigation meeting."}, follow=True)
    assert "Give the date and time of the meeting" in response.content.decode()
    assert not investigation.items.exists()


def test_an_investigating_officer_may_add_notes_but_not_decide(
        team_client, investigation, org):
    services.case_member_add(case=investigation, actor=org.principal, person=org.manager,
                             role="investigating_officer")
    client = team_client("manager")
    client.post(reverse("breaches:case_item_add", args=[investigation.pk]),
                {"kind": "note", "body": "Spoke to the witness."})
    assert investigation.items.filter(kind="note").exists()
    with pytest.raises(services.CaseError):
        services.case_transition(case=investigation, target=State.OUTCOME, actor=org.manager,
                                 data={"outcome": "no_action", "outcome_reasons": "x"})


def test_case_pack_context_has_everything_a_pack_needs(investigation, org, clause):
    services.case_evidence_add(case=investigation, actor=org.principal,
                               upload=upload("shot.png", PNG_BYTES))
    services.case_item_add(case=investigation, actor=org.principal, kind="meeting",
                           body="Meeting.", meeting_at=datetime.datetime(2026, 11, 20, 10,
                                                                         tzinfo=datetime.UTC))
    investigation.cited_clauses.set([clause("10.4 b)")])
    context = case_pack_context(investigation, org.hr)
    assert context["cited_clauses"][0]["number"] == "10.4 b)"
    assert context["cited_clauses"][0]["url"] == "/policies/social-media/2023-09/#10.4-b"
    assert len(context["evidence"][0]["sha256"]) == 64
    assert context["evidence"][0]["path"].endswith(".png")
    assert len(context["meetings"]) == 1
    assert context["timeline"]


def test_case_pack_context_refuses_someone_outside_the_case(investigation, org):
    from django.http import Http404

    with pytest.raises(Http404):
        case_pack_context(investigation, org.outsider)
    with pytest.raises(Http404):
        get_case_for_user(org.colleague, investigation.pk)


def test_the_register_rows_list_only_visible_cases(investigation, org):
    assert len(case_register_rows(org.hr)) == 2
    assert len(case_register_rows(org.other_principal)) == 1  # header only


def test_anonymised_statistics_count_without_names(make_case, org, clause):
    case = advance_to(make_case(), [State.TRIAGE, State.INVESTIGATION, State.OUTCOME],
                      actor=org.principal, clauses_breached=[clause("10.4 b)")])
    stats = anonymised_statistics()
    assert stats["by_clause"] == {"10.4 b)": 1}
    assert stats["by_platform"] == {"Facebook": 1}
    assert stats["by_outcome"] == {"Written warning": 1}
    assert stats["by_academy"] == {org.academy.name: 1}
    assert org.colleague.full_name not in str(stats) and case.reference not in str(stats)


def test_the_navigation_offers_report_misuse_to_everyone_and_cases_to_handlers(client_as):
    staff = client_as("staff").get(reverse("home")).content.decode()
    principal = client_as("principal").get(reverse("home")).content.decode()
    assert "Report misuse" in staff and reverse("breaches:case_list") not in staff
    assert reverse("breaches:case_list") in principal


def test_the_demo_cases_are_made_once_in_different_states(db):
    from accounts import demo as accounts_demo
    from breaches import demo
    from breaches.models import Case
    from tests.breaches.conftest import publish_policy

    accounts_demo.seed()
    publish_policy()
    demo.seed()
    demo.seed()
    assert Case.objects.count() == len(demo.DEMO_CASES)
    assert set(Case.objects.values_list("state", flat=True)) == {
        State.REPORTED, State.INVESTIGATION, State.NO_CASE, State.OUTCOME}


def test_the_handler_list_filters_by_academy_and_overdue(team_client, make_case, org):
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 11, 2, 10), tick=False):
        old = make_case(concerned="colleague")
    other = make_case(reporter=org.outsider, concerned=None, academy=org.other,
                      concerned_description="unknown account")
    client = team_client("ceo")
    by_academy = client.get(reverse("breaches:case_list"),
                            {"academy": org.other.code}).content.decode()
    assert other.reference in by_academy and old.reference not in by_academy
    overdue = client.get(reverse("breaches:case_list"), {"overdue": "1"}).content.decode()
    assert old.reference in overdue and other.reference not in overdue
    assert "Overdue" in overdue


def test_the_handler_list_puts_the_soonest_due_first(team_client, make_case, org):
    import time_machine

    newer = make_case(concerned="colleague")
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10), tick=False):
        older = make_case(concerned="colleague")
    page = team_client("principal").get(reverse("breaches:case_list")).content.decode()
    assert page.index(older.reference) < page.index(newer.reference)


@pytest.mark.parametrize("name,status", [("board", 200), ("hr", 200), ("ceo", 200),
                                         ("principal", 403), ("staff", 403)])
def test_the_statistics_page_is_for_hr_the_ceo_and_the_board(client_as, name, status):
    assert client_as(name).get(reverse("breaches:statistics")).status_code == status


def test_the_statistics_page_shows_counts_but_no_names(client_as, make_case, org):
    case = make_case(concerned="colleague")
    page = client_as("board").get(reverse("breaches:statistics")).content.decode()
    assert "Facebook" in page and org.academy.name in page
    assert org.colleague.full_name not in page and case.reference not in page


def test_the_case_page_offers_the_case_pack_for_a_hearing(team_client, investigation):
    page = team_client("hr").get(reverse("breaches:case_detail", args=[investigation.pk]))
    assert reverse("auditpacks:case_pack", args=[investigation.pk]) in page.content.decode()
