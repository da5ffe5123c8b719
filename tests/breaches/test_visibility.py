"""Who may see a case: the visibility matrix for pages, evidence, lists, search and exports."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from breaches import services
from breaches.models import State
from tests.breaches.conftest import PNG_BYTES, upload

#: Who may open a case about `colleague` reported by `staff` in `academy` (handled by principal).
TEAM = {"principal", "ceo", "hr"}
EVERYONE = ["staff", "colleague", "manager", "principal", "other_principal", "hr", "ceo",
            "board", "admin", "outsider"]


@pytest.fixture
def case(make_case, org):
    case = make_case(reporter=org.staff, concerned="colleague",
                     description="Unique allegation text zebra")
    services.case_evidence_add(case=case, actor=org.principal,
                               upload=upload("shot.png", PNG_BYTES))
    return case


@pytest.mark.parametrize("name", EVERYONE)
def test_the_case_page_opens_only_for_the_case_team(team_client, case, name):
    response = team_client(name).get(reverse("breaches:case_detail", args=[case.pk]))
    assert response.status_code == (200 if name in TEAM else 404)


@pytest.mark.parametrize("name", EVERYONE)
def test_evidence_downloads_only_for_the_case_team(team_client, case, name):
    evidence = case.evidence.get()
    response = team_client(name).get(reverse("breaches:evidence_download", args=[evidence.pk]))
    assert response.status_code == (200 if name in TEAM else 404)
    if name in TEAM:
        assert b"".join(response.streaming_content) == PNG_BYTES
        assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("name", EVERYONE)
def test_every_case_action_answers_404_to_outsiders(team_client, case, name):
    if name in TEAM:
        return
    client = team_client(name)
    for url_name, args in [("case_move", [case.pk, "triage"]), ("case_item_add", [case.pk]),
                           ("case_member_add", [case.pk]), ("case_message", [case.pk]),
                           ("case_notify", [case.pk]), ("case_evidence_add", [case.pk]),
                           ("case_hold", [case.pk]), ("case_assign", [case.pk])]:
        response = client.post(reverse(f"breaches:{url_name}", args=args), {"body": "x"})
        assert response.status_code == 404, url_name
    assert client.get(reverse("breaches:case_detail", args=[case.pk + 999])).status_code == 404


@pytest.mark.parametrize("name", EVERYONE)
def test_lists_search_and_exports_show_the_case_only_to_the_team(team_client, case, name):
    client = team_client(name)
    listing = client.get(reverse("breaches:case_list"), {"state": "all"})
    search = client.get(reverse("breaches:case_list"), {"state": "all", "q": "zebra"})
    export = client.get(reverse("breaches:case_export"))
    case_url = reverse("breaches:case_detail", args=[case.pk])
    for response in (listing, search, export):
        assert response.status_code == (200 if name in TEAM | {"other_principal"} else 403)
        body = response.content.decode() if response.status_code == 200 else ""
        found = case_url in body if response is not export else case.reference in body
        assert found == (name in TEAM)


@pytest.mark.parametrize("name", EVERYONE)
def test_home_panels_and_counts_mention_the_case_only_to_handler_and_reporter(
        team_client, case, name):
    body = team_client(name).get(reverse("home")).content.decode()
    # The handler is asked to triage it; the reporter sees the status of their own report.
    assert (case.reference in body) == (name in {"principal", "staff"})
    assert "zebra" not in body


def test_a_principal_with_cases_of_their_own_finds_nothing_of_another_academy(
        team_client, case, org, make_case):
    own = make_case(reporter=org.outsider, concerned=None, academy=org.other,
                    concerned_description="unknown account")
    listing = team_client("other_principal").get(reverse("breaches:case_list"),
                                                 {"state": "all", "q": "zebra"})
    assert listing.status_code == 200
    assert case.reference not in listing.content.decode()
    assert own.reference in team_client("other_principal").get(
        reverse("breaches:case_list"), {"state": "all"}).content.decode()


def test_the_reporter_sees_only_the_status_and_messages_addressed_to_them(
        team_client, case, org):
    services.case_message_send(case=case, actor=org.principal, to="reporter",
                               body="Thank you, we are looking into it.")
    page = team_client("staff").get(reverse("breaches:my_report", args=[case.pk]))
    html = page.content.decode()
    assert "Thank you, we are looking into it." in html
    assert "Being looked into" in html or "Received" in html
    assert "zebra" not in html and "shot.png" not in html


@pytest.mark.parametrize("name", [n for n in EVERYONE if n != "staff"])
def test_nobody_else_opens_the_reporters_status_page(team_client, case, name):
    response = team_client(name).get(reverse("breaches:my_report", args=[case.pk]))
    assert response.status_code == 404


def test_the_person_concerned_sees_nothing_until_notified(team_client, case, org):
    client = team_client("colleague")
    assert client.get(reverse("breaches:about_me", args=[case.pk])).status_code == 404
    assert case.reference not in client.get(reverse("breaches:home")).content.decode()
    services.case_notify_concerned(case=case, actor=org.principal,
                                   message="A report has been made about a post of yours.")
    page = client.get(reverse("breaches:about_me", args=[case.pk])).content.decode()
    assert "zebra" in page
    assert org.staff.full_name in page  # identity not withheld


def test_a_withheld_reporter_identity_is_never_shown_to_the_person_concerned(
        team_client, org, make_case, clause):
    case = make_case(reporter=org.staff, concerned="colleague", withhold_identity=True)
    services.case_notify_concerned(case=case, actor=org.principal, message="Told.")
    from tests.breaches.conftest import advance_to

    advance_to(case, [State.TRIAGE, State.INVESTIGATION, State.OUTCOME], actor=org.principal,
               clauses_breached=[clause("10.4 b)")])
    page = team_client("colleague").get(reverse("breaches:about_me", args=[case.pk]))
    html = page.content.decode()
    assert "Written warning" in html
    assert org.staff.full_name not in html and org.staff.email not in html


def test_a_person_added_to_the_case_can_open_it(team_client, case, org):
    services.case_member_add(case=case, actor=org.principal, person=org.manager,
                             role="investigating_officer")
    url = reverse("breaches:case_detail", args=[case.pk])
    assert team_client("manager").get(url).status_code == 200


def test_the_person_concerned_cannot_be_added_to_the_case(case, org):
    with pytest.raises(services.CaseError):
        services.case_member_add(case=case, actor=org.principal, person=org.colleague,
                                 role="note_taker")


def test_opening_a_case_asks_to_reauthenticate_after_15_minutes(team_client, case):
    client = team_client("principal")
    url = reverse("breaches:case_detail", args=[case.pk])
    assert client.get(url).status_code == 200
    with time_machine.travel(datetime.timedelta(minutes=16)):
        response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]


def test_downloading_evidence_asks_to_reauthenticate_without_a_recent_sign_in(case, org):
    client = Client()
    client.force_login(org.principal)
    response = client.get(reverse("breaches:evidence_download", args=[case.evidence.get().pk]))
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]


def test_every_view_and_download_is_recorded(team_client, case, org):
    client = team_client("hr")
    client.get(reverse("breaches:case_detail", args=[case.pk]))
    client.get(reverse("breaches:case_detail", args=[case.pk]))
    response = client.get(reverse("breaches:evidence_download", args=[case.evidence.get().pk]))
    b"".join(response.streaming_content)
    assert AuditEvent.objects.filter(action="breaches.case_viewed", actor=org.hr).count() == 2
    assert AuditEvent.objects.filter(action="breaches.evidence_downloaded", actor=org.hr
                                     ).count() == 1


def test_an_unknown_case_and_a_hidden_case_look_the_same(team_client, case):
    client = team_client("outsider")
    hidden = client.get(reverse("breaches:case_detail", args=[case.pk]))
    missing = client.get(reverse("breaches:case_detail", args=[case.pk + 1000]))
    assert hidden.status_code == missing.status_code == 404
    import re

    def strip(html: bytes) -> str:  # the CSRF token differs on every page
        return re.sub(r'"X-CSRFToken": "[^"]+"|value="[A-Za-z0-9]{64}"', "", html.decode())

    assert strip(hidden.content) == strip(missing.content)


def test_after_reauthenticating_with_the_password_the_case_opens(case, org):
    client = Client()
    client.force_login(org.principal)
    url = reverse("breaches:case_detail", args=[case.pk])
    response = client.get(url)
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"] == url
    assert client.get(url).status_code == 200
