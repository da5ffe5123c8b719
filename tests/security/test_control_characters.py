"""NUL and other control characters, anywhere in a request (issue 17, point 3).

PostgreSQL cannot store a NUL; each of these answered 500 and a report draft was lost. They
are now removed once, for the whole portal, by core.middleware.ControlCharactersMiddleware."""

import pytest
from django.urls import reverse

from breaches.models import ReportDraft

#: (role, URL) pairs from the issue, each with a NUL in a query parameter.
ISSUE_URLS = [
    ("principal", "/reports/cases/?q=%00"),
    ("principal", "/reports/cases/?academy=%00"),
    ("hr", "/people/?q=%00"),
    ("hr", "/audit/?q=%00"),
    ("hr", "/audit/?action=%00"),
    ("hr", "/acknowledgements/compliance/?q=%00"),
    ("principal", "/acknowledgements/compliance/team/?q=%00"),
    ("staff", "/people/search/concerned/?q=ab%00cd"),
    ("staff", "/people/search/concerned/?q=ab%01%7f%c2%85cd&name=x%00"),
]


@pytest.mark.parametrize(("role", "url"), ISSUE_URLS)
def test_a_nul_in_a_query_parameter_is_never_a_server_error(client_as, role, url):
    client = client_as(role)
    client.raise_request_exception = False
    assert client.get(url).status_code < 500


def test_the_academy_compliance_page_takes_a_nul_in_its_search(client_as, org):
    client = client_as("principal")
    client.raise_request_exception = False
    url = reverse("acknowledgements:academy", args=[org.academy.code]) + "?q=%00"
    assert client.get(url).status_code < 500


def test_a_search_with_a_nul_finds_what_the_search_without_it_finds(client_as, org):
    page = client_as("staff").get("/people/search/concerned/?q=Coll%00eague")
    assert "Staff Colleague" in page.content.decode()


def _report(org, text: str) -> dict:
    return {
        "concerned_kind": "person", "concerned": org.colleague.pk, "platform": "facebook",
        "seen_at": "2026-01-05T10:00", "description": text, "identity": "named",
        "links": f"https://example.test/{text}", "reporter_wishes": text,
        "concerned_description": text, "platform_other": text, "cpoms_reference": text,
    }


def test_a_report_autosave_with_nul_in_every_field_keeps_the_draft(client_as, org):
    client = client_as("staff")
    client.raise_request_exception = False
    response = client.post(reverse("breaches:report_autosave"),
                           {**_report(org, "Posted\x00 at\x01 night"),
                            "draft_token": "6f1c2b9e-2f55-4a8e-9a39-0d7c5f0e1a11"})
    assert response.status_code == 200
    draft = ReportDraft.objects.get(owner=org.staff)
    assert draft.data["description"] == "Posted at night"


def test_a_report_submitted_with_nul_is_not_lost_and_the_form_says_what_was_removed(
        client_as, org):
    client = client_as("staff")
    client.raise_request_exception = False
    data = {**_report(org, "Posted\x00 at night"), "action": "save"}
    response = client.post(reverse("breaches:report_new"), data, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "control characters (such as NUL) were removed" in text
    assert "Posted at night" in text


def test_a_nul_in_a_path_is_a_not_found_page(client_as):
    client = client_as("staff")
    client.raise_request_exception = False
    assert client.get("/reports/cases/1/move/x%00y/").status_code == 404


def test_a_nul_in_a_cookie_is_ignored(client_as):
    client = client_as("staff")
    client.raise_request_exception = False
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/").status_code < 500
