"""The navigation (links with badges) is worked out only for pages that show it, once."""

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from notifications.services import notify


@override_settings(BENCHMARK_FLOOR_VIEW=True)
def test_a_page_without_the_navigation_does_not_count_badges(client_as, org):
    client = client_as("manager")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/_bench/floor/")
    assert response.status_code == 200
    asked = " ".join(q["sql"] for q in queries.captured_queries)
    assert "notifications_notification" not in asked
    assert "approvals_" not in asked


def test_the_navigation_still_shows_its_badges_and_the_current_section(client_as, org):
    notify(recipient=org.staff, kind="test", title="Please read the policy", body="It changed.")
    response = client_as("staff").get("/notifications/")
    html = response.content.decode()
    assert '(1 unread)' in html
    assert '<a href="/notifications/" aria-current="page">' in html
