"""Each person's navigation is kept between pages and follows every change at once."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.services import notify
from tests.factories import person_make


def _queries_on(client, url: str) -> str:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return " ".join(q["sql"] for q in queries.captured_queries)


def _notify(person, title="Please read the policy"):
    return notify(recipient=person, kind="test", title=title, body="It changed.")


def test_the_badges_are_not_counted_again_on_the_next_page(client_as, org):
    client = client_as("staff")
    assert "notifications_notification" in _queries_on(client, "/policies/")
    assert "notifications_notification" not in _queries_on(client, "/policies/")


def test_a_new_notification_shows_in_the_badge_on_the_next_page(client_as, org):
    client = client_as("staff")
    client.get("/policies/")
    _notify(org.staff)
    assert '(1 unread)' in client.get("/policies/").content.decode()


def test_someone_elses_notification_leaves_my_cached_navigation_alone(client_as, org):
    client = client_as("staff")
    client.get("/policies/")
    _notify(org.colleague)
    assert "notifications_notification" not in _queries_on(client, "/policies/")


def test_reading_every_notification_clears_the_badge_at_once(client_as, org):
    client = client_as("staff")
    _notify(org.staff)
    assert '(1 unread)' in client.get("/policies/").content.decode()
    client.post("/notifications/read-all/")
    assert '(1 unread)' not in client.get("/policies/").content.decode()


def test_becoming_a_line_manager_adds_the_team_link_at_once(client_as, org):
    client = client_as("colleague")
    assert "My team&#x27;s policies" not in client.get("/policies/").content.decode()
    person_make(academy=org.academy, name="New Starter", line_manager=org.colleague)
    assert "My team&#x27;s policies" in client.get("/policies/").content.decode()


def test_the_navigation_is_worked_out_from_the_database_when_the_cache_is_down(
        client_as, org, cache_down):
    cache_down()
    _notify(org.staff)
    html = client_as("staff").get("/policies/").content.decode()
    assert '(1 unread)' in html


def test_the_cache_can_be_switched_off(client_as, org, settings):
    settings.NAV_CACHE_SECONDS = 0
    client = client_as("staff")
    client.get("/policies/")
    assert "notifications_notification" in _queries_on(client, "/policies/")


def test_someone_signing_in_leaves_everyone_elses_cached_navigation_alone(client_as, org):
    from django.contrib.auth.models import update_last_login

    client = client_as("staff")
    client.get("/policies/")
    update_last_login(None, org.colleague)
    assert "notifications_notification" not in _queries_on(client, "/policies/")
