"""The case page's forms have unique ids and one name per control; pages have distinct titles
(accessibility findings on the breaches templates)."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from breaches.models import State
from tests.breaches.conftest import advance_to


@pytest.fixture
def case_page(team_client, make_case, org):
    case = advance_to(make_case(), [State.TRIAGE, State.INVESTIGATION], actor=org.principal)
    return team_client("ceo").get(reverse("breaches:case_detail", args=[case.pk])
                                  ).content.decode(), case


def test_no_two_elements_of_the_case_page_share_an_id(case_page):
    html, _case = case_page
    repeated = [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]
    assert repeated == []


def test_every_label_on_the_case_page_names_a_different_control(case_page):
    html, _case = case_page
    targets = re.findall(r'<label[^>]*\sfor="([^"]+)"', html)
    assert [t for t, n in Counter(targets).items() if n > 1] == []
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    assert set(targets) <= ids


def test_the_note_and_the_message_have_their_own_fields(case_page):
    html, _case = case_page
    assert '<label for="item_body">Details' in html
    assert '<label for="message_body">Message' in html
    assert '<label for="assign_reason">Reason' in html
    assert '<label for="hold_reason">Reason' in html


def test_the_forms_still_post_the_same_field_names(team_client, case_page, org):
    _html, case = case_page
    team_client("ceo").post(reverse("breaches:case_item_add", args=[case.pk]),
                            {"kind": "note", "body": "Spoke to the line manager."})
    assert case.items.get().body == "Spoke to the line manager."


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_the_reports_page_and_the_report_form_have_different_titles(client_as):
    client = client_as("staff")
    home = _title(client.get(reverse("breaches:home")).content.decode())
    form = _title(client.get(reverse("breaches:report_new")).content.decode())
    assert home != form


def test_the_case_pack_page_title_names_the_case(team_client, make_case):
    case = make_case()
    html = team_client("hr").get(reverse("auditpacks:case_pack", args=[case.pk])
                                 ).content.decode()
    assert case.reference in _title(html)
