"""A sent report never comes back as a draft, and never reaches another report, whatever
order the browser's requests arrive in (issue 15, defect 1)."""

import re

from django.urls import reverse

from breaches.models import Case, ReportDraft

FIRST = {"concerned_kind": "person", "platform": "instagram",
         "links": "https://www.instagram.com/p/FIRST-REPORT-LINK/",
         "seen_at": "2026-11-20T18:30", "description": "First report: a photo of a pupil.",
         "identity": "named"}


def _token(page: str) -> str:
    return re.search(r'name="draft_token" value="([0-9a-f-]{36})"', page).group(1)


def _open_form(client) -> str:
    return _token(client.get(reverse("breaches:report_new")).content.decode())


def _send_then_late_autosave(client, org, clause, **first):
    token = _open_form(client)
    data = {**FIRST, "concerned": org.colleague.pk, "clauses": [clause("10.4 b)").pk],
            "draft_token": token, **first}
    client.post(reverse("breaches:report_autosave"), data)
    sent = client.post(reverse("breaches:report_new"), {**data, "action": "submit"})
    assert sent.status_code == 302
    # The save that was still pending when "Send" was clicked arrives last (pagehide).
    return client.post(reverse("breaches:report_autosave"), data)


def test_a_late_autosave_after_sending_is_refused(client_as, org, clause):
    late = _send_then_late_autosave(client_as("staff"), org, clause)
    assert late.status_code == 409
    assert not ReportDraft.objects.filter(owner=org.staff).exists()


def test_after_sending_the_reports_page_offers_a_new_report_not_a_draft(client_as, org, clause):
    client = client_as("staff")
    _send_then_late_autosave(client, org, clause)
    page = client.get(reverse("breaches:home")).content.decode()
    assert "Continue your draft report" not in page
    form = client.get(reverse("breaches:report_new")).content.decode()
    assert "First report: a photo of a pupil." not in form
    assert "FIRST-REPORT-LINK" not in form


def test_the_next_report_carries_nothing_of_the_one_before(client_as, org, clause):
    client = client_as("staff")
    _send_then_late_autosave(client, org, clause)
    token = _open_form(client)
    client.post(reverse("breaches:report_new"), {
        "concerned_kind": "person", "concerned": org.manager.pk, "platform": "tiktok",
        "seen_at": "2026-11-21T09:00", "description": "Second report: a video.",
        "identity": "named", "action": "submit", "draft_token": token})
    second = Case.objects.get(concerned=org.manager)
    assert second.links == ""
    assert not second.cited_clauses.exists()
    assert "First report" not in second.description


def test_an_anonymous_report_is_not_brought_back_either(client_as, org, clause):
    late = _send_then_late_autosave(client_as("staff"), org, clause, identity="anonymous")
    assert late.status_code == 409
    assert not ReportDraft.objects.exists()


def test_sending_the_same_page_twice_makes_one_report(client_as, org):
    client = client_as("staff")
    data = {**FIRST, "concerned": org.colleague.pk, "draft_token": _open_form(client),
            "action": "submit"}
    client.post(reverse("breaches:report_new"), data)
    again = client.post(reverse("breaches:report_new"), data, follow=True)
    assert Case.objects.count() == 1
    assert "already been sent" in again.content.decode()
    assert not ReportDraft.objects.exists()


def test_a_deleted_draft_is_not_brought_back_by_a_late_autosave(client_as, org):
    client = client_as("staff")
    data = {**FIRST, "draft_token": _open_form(client)}
    client.post(reverse("breaches:report_autosave"), data)
    client.post(reverse("breaches:report_new"), {**data, "action": "discard"})
    assert client.post(reverse("breaches:report_autosave"), data).status_code == 409
    assert not ReportDraft.objects.exists()


def test_an_autosave_without_the_pages_token_is_refused(client_as):
    response = client_as("staff").post(reverse("breaches:report_autosave"),
                                       {"description": "x"})
    assert response.status_code == 400
    assert not ReportDraft.objects.exists()


def test_a_draft_keeps_being_saved_until_it_is_sent(client_as, org):
    client = client_as("staff")
    data = {**FIRST, "draft_token": _open_form(client)}
    assert client.post(reverse("breaches:report_autosave"), data).status_code == 200
    assert client.post(reverse("breaches:report_autosave"),
                       {**data, "description": "Changed"}).status_code == 200
    assert ReportDraft.objects.get(owner=org.staff).data["description"] == "Changed"
