"""The people list: a fixed number of queries whatever the page size, and rows shown as before."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Category, Role
from tests.factories import person_make

#: Session, person, second factor, line management, the count, the academies, the page of
#: people, and the base template's own (navigation and badges; HR's includes policy reviews).
PEOPLE_LIST_BUDGET = {"principal": 10, "hr": 11}


def _html(client, **params) -> str:
    response = client.get(reverse("accounts:people_list"), params)
    assert response.status_code == 200
    return response.content.decode()


def _row(html: str, name: str) -> str:
    start = html.index(f">{name}</a>")
    return html[html.rindex("<tr>", 0, start):html.index("</tr>", start)]


@pytest.mark.parametrize("role", sorted(PEOPLE_LIST_BUDGET))
def test_the_people_list_stays_within_its_query_budget_for_a_full_page(
        client_as, org, role, django_assert_max_num_queries):
    for n in range(60):
        person_make(academy=org.academy, line_manager=org.manager, name=f"Teacher {n:02}")
    client = client_as(role)
    _html(client)
    with django_assert_max_num_queries(PEOPLE_LIST_BUDGET[role]):
        html = _html(client)
    assert html.count('<td><a href="/people/') == 50


def test_each_row_shows_the_academy_job_category_role_and_line_manager(client_as, org):
    person_make(academy=org.academy, line_manager=org.manager, name="Ada Teacher",
                category=Category.CONSULTANT, role=Role.STAFF, job_title="Teacher of Maths")
    row = _row(_html(client_as("hr")), "Ada Teacher")
    assert "<td>Northfield Primary Academy</td><td>Teacher of Maths</td><td>Consultant</td>" in row
    assert "<td>Staff</td><td>Line Manager</td>" in row
    person = org.staff.__class__.objects.get(full_name="Ada Teacher")
    assert f'href="{reverse("accounts:person_detail", args=[person.pk])}"' in row


def test_someone_without_an_academy_or_line_manager_shows_dashes(client_as, org):
    person_make(name="Nobody's Report")
    row = _row(_html(client_as("hr")), "Nobody&#x27;s Report")
    assert "<td>—</td>" in row and row.rstrip().endswith("<td>—</td>")


def test_a_line_manager_without_a_name_is_shown_by_email(client_as, org):
    boss = person_make(academy=org.academy, email="unnamed.boss@trust.test")
    boss.full_name = ""
    boss.save(update_fields=["full_name"])
    person_make(academy=org.academy, line_manager=boss, name="Reports To Unnamed")
    assert "<td>unnamed.boss@trust.test</td>" in _row(_html(client_as("hr")),
                                                     "Reports To Unnamed")


def test_leavers_are_marked_and_only_listed_when_asked_for(client_as, org):
    person_make(academy=org.academy, name="Gone Already",
                start_date=datetime.date(2020, 1, 1),
                leaving_date=timezone.localdate() - datetime.timedelta(days=1))
    person_make(academy=org.academy, name="Leaving Soon",
                leaving_date=timezone.localdate() + datetime.timedelta(days=30))
    client = client_as("hr")
    assert "Gone Already" not in _html(client)
    assert "Left</span>" not in _row(_html(client), "Leaving Soon")
    assert "Left</span>" in _row(_html(client, leavers="1"), "Gone Already")


def test_the_second_page_continues_where_the_first_stopped(client_as, org):
    names = [f"Zz Person {n:02}" for n in range(55)]
    for name in names:
        person_make(academy=org.academy, name=name)
    client = client_as("principal")
    first, second = _html(client), _html(client, page="2")
    on_first = [name for name in names if f">{name}</a>" in first]
    on_second = [name for name in names if f">{name}</a>" in second]
    assert on_first + on_second == names and on_first and on_second
    assert first.count('<td><a href="/people/') == 50
    total = 50 + second.count('<td><a href="/people/')
    assert "Page 2 of 2" in second and f"People, {total} in all" in second


def test_filters_keep_their_choices_and_the_principal_sees_only_their_academy(client_as, org):
    html = _html(client_as("principal"), q="Staff", category="employee")
    assert 'value="Staff"' in html and '<option value="employee" selected>' in html
    assert "Staff Member" in html and "Other Staff" not in html


def test_the_people_list_is_not_read_again_on_the_next_visit(client_as, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as("hr")
    _html(client)
    with CaptureQueriesContext(connection) as queries:
        html = _html(client)
    assert not any("COUNT(*)" in q["sql"] for q in queries.captured_queries)
    assert "Staff Member" in html


def test_a_person_added_shows_in_the_people_list_at_once(client_as, org):
    client = client_as("hr")
    assert "Nadia Newstarter" not in _html(client)
    person_make(academy=org.academy, name="Nadia Newstarter")
    assert "Nadia Newstarter" in _html(client)


def test_a_person_renamed_shows_renamed_in_the_people_list_at_once(client_as, org):
    client = client_as("principal")
    assert "Staff Member" in _html(client)
    org.staff.full_name = "Staff Member-Jones"
    org.staff.save()
    assert "Staff Member-Jones" in _html(client)
