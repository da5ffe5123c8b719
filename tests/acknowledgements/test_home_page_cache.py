"""The home page's panels are kept per person between visits and follow every change at once."""

from django.urls import reverse

from acknowledgements.models import Assignment
from notifications.services import notify
from tests.acknowledgements.conftest import policy_make, publish, read_everything, version_make
from tests.pages import cache_reads, open_page


def _home(client) -> tuple[str, str]:
    return open_page(client, reverse("home"))


def test_the_panels_are_not_worked_out_again_on_the_next_visit(client_as, org, published):
    client = client_as("staff")
    first, asked = _home(client)
    assert "acknowledgements_assignment" in asked
    again, asked = _home(client)
    assert "acknowledgements_assignment" not in asked
    assert "Policies waiting for you" in again


def test_acknowledging_clears_the_policy_from_the_home_page_at_once(client_as, org, published):
    client = client_as("staff")
    assert "Policies waiting for you" in _home(client)[0]
    assignment = Assignment.objects.get(person=org.staff, version=published)
    read_everything(client, assignment)
    answers = {f"q{q.pk}": str(q.correct_choice) for q in published.ack_questions.all()}
    response = client.post(reverse("acknowledgements:acknowledge", args=[assignment.pk]),
                           {"agree": "yes", **answers})
    assert response.status_code == 302
    page = _home(client)[0]
    assert "You have acknowledged every policy that applies to you" in page


def test_a_newly_published_policy_shows_on_the_home_page_at_once(client_as, org):
    client = client_as("staff")
    assert "You have acknowledged every policy that applies to you" in _home(client)[0]
    publish(version_make(policy_make(title="Acceptable Use Policy", slug="acceptable-use")))
    page = _home(client)[0]
    assert "Acceptable Use Policy" in page


def test_a_new_notification_shows_on_the_home_page_at_once(client_as, org):
    client = client_as("staff")
    assert "Unread notifications" not in _home(client)[0]
    notify(recipient=org.staff, kind="test", title="Your manager wrote to you", body="Hello.")
    assert "Your manager wrote to you" in _home(client)[0]


def test_someone_elses_acknowledgement_leaves_my_cached_home_page_alone(
        client_as, org, published):
    mine = client_as("staff")
    _home(mine)
    theirs = client_as("colleague")
    assignment = Assignment.objects.get(person=org.colleague, version=published)
    read_everything(theirs, assignment)
    answers = {f"q{q.pk}": str(q.correct_choice) for q in published.ack_questions.all()}
    theirs.post(reverse("acknowledgements:acknowledge", args=[assignment.pk]),
                {"agree": "yes", **answers})
    assert "acknowledgements_assignment" not in _home(mine)[1]


def test_the_home_page_is_worked_out_from_the_database_when_the_cache_is_down(
        client_as, org, published, cache_down):
    cache_down()
    page = _home(client_as("staff"))[0]
    assert "Policies waiting for you" in page
    assert "Social Media Policy" in page


def _acknowledged(person, version) -> None:
    from acknowledgements.services import acknowledgement_record

    acknowledgement_record(assignment=Assignment.objects.get(person=person, version=version),
                           method="portal", check_reading=False)


def test_a_minor_change_to_an_acknowledged_policy_shows_what_changed(client_as, org, policy,
                                                                   published):
    _acknowledged(org.staff, published)
    client = client_as("staff")
    assert "What changed" not in _home(client)[0]
    minor = publish(version_make(policy, "2024-01", changes={"1.1": "A clearer purpose."},
                                 previous=published), material=False)
    page = _home(client)[0]
    assert f"What changed in the Social Media Policy (version {minor.label})" in page
    assert "You have acknowledged every policy that applies to you" in page


def test_a_superseded_version_no_longer_waits_on_the_home_page(client_as, org, policy,
                                                              published):
    client = client_as("staff")
    assert "version 2023-09" in _home(client)[0]
    publish(version_make(policy, "2024-01", previous=published))
    page = _home(client)[0]
    assert "version 2023-09" not in page
    assert "version 2024-01" in page


def test_the_home_panel_lists_the_same_requests_as_the_database_would(org, policy, published):
    from acknowledgements import selectors

    _acknowledged(org.colleague, published)
    publish(version_make(policy, "2024-01", previous=published), material=False)
    other = publish(version_make(policy_make(title="Acceptable Use Policy",
                                             slug="acceptable-use")))
    _acknowledged(org.manager, other)
    for person in (org.staff, org.colleague, org.manager, org.principal, org.outsider):
        waiting, changed = selectors.waiting_and_recently_changed_for(person)
        assert [a.pk for a in waiting] == [a.pk for a in selectors.waiting_for(person)]
        assert [a.pk for a in changed] == [a.pk for a in selectors.recently_changed_for(person)]
        assert [(a.version.label, a.version.policy.title) for a in waiting] == [
            (a.version.label, a.version.policy.title) for a in selectors.waiting_for(person)]


def test_a_repeat_visit_reads_the_cache_once_for_the_panels_and_once_for_the_navigation(
        client_as, org, published, monkeypatch):
    client = client_as("staff")
    _home(client)
    reads = cache_reads(monkeypatch)

    page, _ = _home(client)

    assert "Policies waiting for you" in page and 'aria-label="Main"' in page
    assert [name for name, _ in reads] == ["get_many", "get_many"], reads
