"""The home page and the navigation stay cheap: a fixed number of queries, none asked twice.

Every page draws the navigation and the home page asks the same questions again (is there a case
for me, what waits for my decision, how many unread notifications). Each answer is worked out once
per request, so a handful of cases, requests and notifications must not add queries.
"""

import datetime
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals import selectors as approval_selectors
from approvals.models import Delegation, Kind
from breaches.models import Case
from notifications.services import notify
from tests.approvals.conftest import make_exception, make_monitoring, make_post

#: Queries of the apps whose hooks fill the home page and the navigation here.
OURS = re.compile(r'FROM "(breaches_|approvals_|notifications_|policies_)')

# Budgets for the whole home page (session, user, MFA check and every app's panels and links),
# once the small trust-wide answers everyone shares (who is on a case team, which requests are
# pending: core.navcache.trust_snapshot) are cached; before per-request answers they were 15
# and 20 queries.
STAFF_HOME_BUDGET = 9
PRINCIPAL_HOME_BUDGET = 17
#: Working out those shared answers (once for everyone while nothing changes).
SHARED_ANSWERS_BUDGET = 5


@pytest.fixture
def busy_trust(org, policy_version, make_case):
    """Three reports from a member of staff, one about them, requests and unread news."""
    cases = [make_case(reporter=org.staff, description=f"Post number {i} mocking a pupil.")
             for i in range(3)]
    about = make_case(reporter=org.colleague, concerned="staff")
    Case.objects.filter(pk=about.pk).update(concerned_notified_at=timezone.now())
    make_post(org.staff, title="Harvest festival")
    make_post(org.colleague, title="Sports day")
    make_exception(org.staff)
    for person in (org.staff, org.principal):
        for i in range(3):
            notify(recipient=person, kind="test.news", title=f"News {i}", period=str(i))
    return cases


def home(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in captured.captured_queries]


def asked_twice(queries: list[str]) -> list[str]:
    return [sql for sql, n in Counter(q for q in queries if OURS.search(q)).items() if n > 1]


def test_the_staff_home_page_stays_within_its_query_budget(busy_trust, team_client):
    home(team_client("colleague"))  # someone else's page: the shared answers are cached
    page, queries = home(team_client("staff"))
    assert "Your reports" in page and "A report about you needs your attention" in page
    assert "My requests" in page and "Unread notifications" in page
    assert len(queries) <= STAFF_HOME_BUDGET, "\n".join(queries)


def test_the_principal_home_page_stays_within_its_query_budget(busy_trust, team_client):
    home(team_client("colleague"))
    page, queries = home(team_client("principal"))
    assert "Reports of social media misuse waiting for you" in page
    assert "Waiting for my decision" in page and "Unread notifications" in page
    assert len(queries) <= PRINCIPAL_HOME_BUDGET, "\n".join(queries)


@pytest.mark.parametrize("name", ["staff", "principal", "ceo", "hr", "manager"])
def test_no_question_about_cases_requests_or_notifications_is_asked_twice_on_the_home_page(
        busy_trust, team_client, name):
    _, queries = home(team_client(name))
    assert asked_twice(queries) == []


@pytest.mark.parametrize("rows_looked_at", [200, 2])
def test_the_cases_badge_is_the_same_on_the_home_page_and_on_other_pages(
        busy_trust, team_client, monkeypatch, rows_looked_at):
    # With 2, the home panel's list is cut short and the badge is counted by the database.
    monkeypatch.setattr("breaches.hooks.HANDLER_ROWS", rows_looked_at)
    client = team_client("principal")
    on_home = client.get(reverse("home")).content.decode()
    elsewhere = client.get(reverse("notifications:list")).content.decode()
    link = re.escape(reverse("breaches:case_list"))
    badge = re.compile(rf'href="{link}">Cases <span class="badge"[^>]*>(\d+)<')
    assert badge.search(on_home).group(1) == badge.search(elsewhere).group(1) == "4"


def test_someone_who_decides_nothing_learns_it_without_a_query_of_their_own(
        org, django_assert_num_queries):
    make_post(org.staff)
    org.outsider.refresh_from_db()
    org.colleague.refresh_from_db()
    assert approval_selectors.waiting_for(org.colleague) == []  # the shared list, now cached
    with django_assert_num_queries(0):
        assert approval_selectors.waiting_for(org.outsider) == []


def test_the_shared_answers_cost_a_few_queries_whatever_the_number_of_people(
        busy_trust, team_client):
    from django.core.cache import cache

    home(team_client("colleague"))
    cache.clear()
    page, queries = home(team_client("staff"))
    assert len(queries) <= STAFF_HOME_BUDGET + SHARED_ANSWERS_BUDGET, "\n".join(queries)


def test_a_deputy_still_sees_what_waits_for_the_person_they_stand_in_for(org):
    req = make_post(org.staff, title="Harvest festival")
    today = timezone.localdate()
    Delegation.objects.create(delegator=org.principal, deputy=org.colleague, starts_on=today,
                              ends_on=today + datetime.timedelta(days=3),
                              created_by=org.principal)
    waiting = approval_selectors.waiting_for(org.colleague)
    assert [(r.pk, acting.pk) for r, acting in waiting] == [(req.pk, org.principal.pk)]


def test_the_ceo_and_hr_queues_are_unchanged_by_the_cheap_first_question(org, settings):
    post = make_post(org.staff, title="Harvest festival")
    other_academy_post = make_post(org.outsider, title="Open evening")
    monitoring = make_monitoring(org.principal, org.staff)
    ceo = {r.pk for r, _ in approval_selectors.waiting_for(org.ceo)}
    assert {post.pk, other_academy_post.pk, monitoring.pk} <= ceo
    assert approval_selectors.waiting_for(org.hr) == []
    settings.APPROVALS_MONITORING_DECIDER = "hr"
    assert [r.pk for r, _ in approval_selectors.waiting_for(org.hr)] == [monitoring.pk]
    assert monitoring.pk not in {r.pk for r, _ in approval_selectors.waiting_for(org.ceo)}


def test_a_line_manager_sees_the_exception_their_report_asks_for(org):
    req = make_exception(org.staff, kind=Kind.PROFESSIONAL_USE)
    assert [r.pk for r, _ in approval_selectors.waiting_for(org.manager)] == [req.pk]
