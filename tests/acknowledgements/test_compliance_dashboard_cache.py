"""The compliance dashboards' figures are kept between visits and follow every change at once."""

from django.urls import reverse

from acknowledgements.models import Assignment
from acknowledgements.services import acknowledgement_record, assignments_sync
from tests.factories import person_make
from tests.pages import open_page


def _academy_url(org) -> str:
    return reverse("acknowledgements:academy", args=[org.academy.code])


def _acknowledge(person, version) -> None:
    acknowledgement_record(assignment=Assignment.objects.get(person=person, version=version),
                           method="portal", check_reading=False)


def test_the_figures_are_not_added_up_again_on_the_next_visit(client_as, org, published):
    client = client_as("principal")
    assert "acknowledgements_assignment" in open_page(client, _academy_url(org))[1]
    page, asked = open_page(client, _academy_url(org))
    assert "acknowledgements_assignment" not in asked
    assert "Staff Member" in page


def test_an_acknowledgement_in_another_academy_leaves_the_cached_figures_alone(
        client_as, org, published):
    client = client_as("principal")
    open_page(client, _academy_url(org))
    _acknowledge(org.outsider, published)
    assert "acknowledgements_assignment" not in open_page(client, _academy_url(org))[1]


def test_the_whole_trust_figures_follow_an_acknowledgement_anywhere_at_once(
        client_as, org, published):
    client = client_as("hr")
    url = reverse("acknowledgements:trust") + "?status=done"
    assert "Other Staff" not in open_page(client, url)[0]
    _acknowledge(org.outsider, published)
    assert "Other Staff" in open_page(client, url)[0]


def test_a_new_person_asked_to_acknowledge_shows_at_once(client_as, org, published):
    client = client_as("principal")
    assert "Nadia Newstarter" not in open_page(client, _academy_url(org))[0]
    person_make(academy=org.academy, name="Nadia Newstarter")
    assignments_sync()
    assert "Nadia Newstarter" in open_page(client, _academy_url(org))[0]


def test_the_dashboard_is_worked_out_from_the_database_when_the_cache_is_down(
        client_as, org, published, cache_down):
    cache_down()
    page = open_page(client_as("principal"), _academy_url(org))[0]
    assert "Staff Member" in page


def test_each_line_manager_sees_their_own_team_after_another_opened_theirs(
        client_as, org, published):
    url = reverse("acknowledgements:team")
    assert "Staff Member" in open_page(client_as("manager"), url)[0]
    theirs = open_page(client_as("other_principal"), url)[0]
    assert "Other Staff" in theirs
    assert "Staff Member" not in theirs


def test_a_dashboard_served_from_the_cache_builds_none_of_its_queries(
        client_as, org, published, monkeypatch):
    from acknowledgements import selectors

    client = client_as("principal")
    open_page(client, _academy_url(org))
    built = []
    original = selectors.assignments_for
    monkeypatch.setattr(selectors, "assignments_for",
                        lambda *args, **kwargs: built.append(1) or original(*args, **kwargs))

    page, _ = open_page(client, _academy_url(org))

    assert "Staff Member" in page
    assert built == []


def _remind_url(org, person, version) -> str:
    return reverse("acknowledgements:nudge",
                   args=[Assignment.objects.get(person=person, version=version).pk])


def test_the_people_rows_are_not_rendered_again_on_the_next_visit(client_as, org, published):
    client = client_as("principal")
    first = client.get(_academy_url(org))
    again = client.get(_academy_url(org))
    rendered = [t.name for t in again.templates]
    assert "acknowledgements/_roster_rows.html" in [t.name for t in first.templates]
    assert "acknowledgements/_roster_rows.html" not in rendered
    assert "Staff Member" in again.content.decode()


def test_an_acknowledgement_changes_the_persons_row_at_once(client_as, org, published):
    client = client_as("principal")
    url = _academy_url(org) + "?q=Staff+Member"
    assert "Acknowledged</span>" not in open_page(client, url)[0]
    _acknowledge(org.staff, published)
    assert "Acknowledged</span>" in open_page(client, url)[0]


def test_only_the_line_manager_gets_the_remind_button_from_rows_another_viewer_opened_first(
        client_as, org, published):
    remind = _remind_url(org, org.manager, published)  # the Principal manages the line manager
    assert remind not in open_page(client_as("ceo"), _academy_url(org))[0]
    assert remind in open_page(client_as("principal"), _academy_url(org))[0]
    assert remind not in open_page(client_as("hr"), _academy_url(org))[0]


def test_people_who_may_not_see_the_dashboard_are_refused_after_it_was_cached(
        client_as, org, published):
    open_page(client_as("principal"), _academy_url(org))
    for name in ("staff", "manager", "other_principal"):
        assert client_as(name).get(_academy_url(org)).status_code in (403, 404), name
