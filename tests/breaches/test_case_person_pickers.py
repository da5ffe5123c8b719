"""The case page's person fields (request addressee, new member) and the on-behalf report's
reporter search the trust instead of listing everyone."""

import re

from django.urls import reverse

from accounts.models import Role, User
from breaches.models import CaseMember, State
from tests.breaches.conftest import advance_to


def _trust_of(org, count: int) -> None:
    User.objects.bulk_create([
        User(email=f"teacher{i}@trust.test", full_name=f"Teacher {i:04d}", job_title="Teacher",
             academy=org.academy, role=Role.STAFF)
        for i in range(count)
    ])


def test_the_case_page_no_longer_lists_everyone_in_the_trust(team_client, org, make_case):
    case = advance_to(make_case(concerned="colleague"), [State.TRIAGE, State.INVESTIGATION],
                      actor=org.principal)
    _trust_of(org, 300)
    html = team_client("principal").get(reverse("breaches:case_detail", args=[case.pk])
                                        ).content.decode()
    assert "Teacher 0001" not in html and html.count("<option") < 60
    assert 'hx-get="/people/search/case_person/?name=person' in html
    assert 'hx-get="/people/search/case_person/?name=addressed_to' in html


def test_the_handler_adds_a_member_found_by_searching(team_client, org, make_case):
    case = make_case(concerned="colleague")
    client = team_client("principal")
    found = client.get(reverse("accounts:person_search", args=["case_person"]),
                       {"q": "line man", "name": "person", "id": "id_person"}).content.decode()
    assert re.findall(r'name="person" value="(\d+)"', found) == [str(org.manager.pk)]
    client.post(reverse("breaches:case_member_add", args=[case.pk]),
                {"person": org.manager.pk, "role": CaseMember.Role.choices[0][0]})
    assert CaseMember.objects.filter(case=case, person=org.manager).exists()


def test_the_on_behalf_form_searches_for_the_reporter(client_as, org):
    html = client_as("manager").get(reverse("breaches:report_log")).content.decode()
    assert 'hx-get="/people/search/on_behalf_of/' in html
    assert 'value="" id="id_on_behalf_of_none" checked' in html


def test_only_those_who_log_reports_on_behalf_may_search_for_the_reporter(client_as, org):
    url = reverse("accounts:person_search", args=["on_behalf_of"])
    assert client_as("staff").get(url, {"q": "staff"}).status_code == 403
    assert client_as("manager").get(url, {"q": "staff"}).status_code == 200
