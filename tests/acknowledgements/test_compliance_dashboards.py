import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from acknowledgements.models import Assignment, Nudge
from acknowledgements.services import acknowledgement_record
from notifications.models import Notification
from tests.factories import academy_make, person_make

ROLES = ["staff", "manager", "principal", "other_principal", "hr", "ceo", "board", "admin",
         "outsider"]


def url_for(name, org):
    return {
        "trust": reverse("acknowledgements:trust"),
        "academy": reverse("acknowledgements:academy", args=[org.academy.code]),
        "category": reverse("acknowledgements:category", args=["employee"]),
        "team": reverse("acknowledgements:team"),
        "person": reverse("acknowledgements:person_history", args=[org.staff.pk]),
    }[name]


ALLOWED = {
    # page: roles that may open it; others get 403 (no permission) or 404 (not theirs)
    "trust": {"hr", "ceo", "board", "admin"},
    "academy": {"principal", "hr", "ceo", "board", "admin"},
    "category": {"principal", "other_principal", "hr", "ceo", "board", "admin"},
    "team": {"manager", "principal", "other_principal", "hr", "ceo", "admin"},
    "person": {"manager", "principal", "hr", "ceo", "board", "admin"},
}


@pytest.mark.parametrize("page", sorted(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_each_dashboard_opens_only_for_roles_that_may_see_it(client_as, org, published, page,
                                                             role):
    response = client_as(role).get(url_for(page, org))
    if role in ALLOWED[page]:
        assert response.status_code == 200
    else:
        assert response.status_code in (403, 404)


@pytest.mark.parametrize("page", sorted(ALLOWED))
def test_anonymous_visitors_are_sent_to_sign_in(client_as, org, published, page):
    response = client_as("anonymous").get(url_for(page, org))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_see_no_dashboard_link(client_as, org, published):
    page = client_as("staff").get(reverse("home")).content.decode()
    assert reverse("acknowledgements:trust") not in page
    assert reverse("acknowledgements:team") not in page


def test_a_principal_cannot_open_another_academys_dashboard(client_as, org, published):
    url = reverse("acknowledgements:academy", args=[org.other.code])
    assert client_as("principal").get(url).status_code == 404
    assert client_as("other_principal").get(url).status_code == 200


def test_a_principal_sees_only_their_academy(client_as, org, published):
    text = client_as("principal").get(url_for("academy", org)).content.decode()
    assert "Staff Member" in text
    assert "Other Staff" not in text


def test_a_principals_category_view_is_limited_to_their_academy(client_as, org, published):
    text = client_as("principal").get(url_for("category", org)).content.decode()
    assert "Staff Member" in text
    assert "Other Staff" not in text


def test_a_line_manager_sees_only_their_reports(client_as, org, published):
    text = client_as("manager").get(url_for("team", org)).content.decode()
    assert "Staff Member" in text and "Staff Colleague" in text
    assert "Other Staff" not in text
    assert "Principal North" not in text


def test_a_line_manager_cannot_open_the_history_of_someone_not_reporting_to_them(
        client_as, org, published):
    url = reverse("acknowledgements:person_history", args=[org.outsider.pk])
    assert client_as("manager").get(url).status_code == 404
    assert client_as("principal").get(url).status_code == 404
    assert client_as("other_principal").get(url).status_code == 200


def test_the_trust_dashboard_shows_the_percentage_acknowledged(client_as, org, published):
    people = Assignment.objects.filter(version=published).count()
    acknowledgement_record(assignment=Assignment.objects.get(person=org.staff, version=published),
                           method="portal", check_reading=False)
    text = client_as("hr").get(url_for("trust", org)).content.decode()
    assert f"{round(100 / people, 1)}% of the whole trust acknowledged" in text


def test_an_acknowledgement_shows_on_the_principals_dashboard_at_once(client_as, org,
                                                                      published):
    client = client_as("principal")
    before = client.get(url_for("academy", org) + "?status=done").content.decode()
    assert "Staff Member" not in before
    acknowledgement_record(assignment=Assignment.objects.get(person=org.staff, version=published),
                           method="portal", check_reading=False)
    after = client.get(url_for("academy", org) + "?status=done").content.decode()
    assert "Staff Member" in after


def test_the_overdue_filter_lists_only_overdue_people(client_as, org, published):
    Assignment.objects.filter(person=org.colleague).update(
        assigned_on=timezone.localdate() - datetime.timedelta(days=30),
        due_on=timezone.localdate() - datetime.timedelta(days=2))
    text = client_as("hr").get(url_for("trust", org) + "?status=overdue").content.decode()
    assert "Staff Colleague" in text
    assert "Staff Member" not in text


def test_the_category_filter_narrows_the_list(client_as, org, published):
    person_make(academy=org.academy, category="volunteer", name="Vol Unteer")
    from acknowledgements.services import assignments_sync

    assignments_sync()
    text = client_as("hr").get(url_for("trust", org) + "?category=volunteer").content.decode()
    assert "Vol Unteer" in text
    assert "Staff Member" not in text


def test_the_list_can_be_sorted_by_name_in_either_direction(client_as, org, published):
    client = client_as("hr")
    ascending = client.get(url_for("trust", org) + "?sort=name").content.decode()
    descending = client.get(url_for("trust", org) + "?sort=name&dir=desc").content.decode()
    assert ascending.index("Administrator") < ascending.index("Staff Member")
    assert descending.index("Administrator") > descending.index("Staff Member")


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_any_view_exports_as_csv_with_the_same_filters(client_as, org, published):
    response = client_as("principal").get(url_for("academy", org) + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    names = {row["Name"] for row in rows}
    assert "Staff Member" in names and "Other Staff" not in names
    assert rows[0]["Status"] in {"Outstanding", "Overdue", "Acknowledged"}


def test_the_csv_of_the_team_view_holds_only_the_managers_reports(client_as, org, published):
    rows = read_csv(client_as("manager").get(url_for("team", org) + "?format=csv"))
    assert {row["Name"] for row in rows} == {"Staff Member", "Staff Colleague"}


def test_csv_cells_cannot_start_a_spreadsheet_formula(client_as, org, published):
    person_make(academy=org.academy, name="=HYPERLINK(\"x\")")
    from acknowledgements.services import assignments_sync

    assignments_sync()
    rows = read_csv(client_as("hr").get(url_for("trust", org) + "?format=csv"))
    assert any(row["Name"].startswith("'=") for row in rows)


def test_drill_down_shows_a_persons_whole_history_across_versions(client_as, org, published):
    from tests.acknowledgements.conftest import publish, version_make

    acknowledgement_record(assignment=Assignment.objects.get(person=org.staff, version=published),
                           method="portal", check_reading=False)
    publish(version_make(published.policy, "2025-09", changes={"1.1": "New text."}))
    text = client_as("hr").get(url_for("person", org)).content.decode()
    assert "2023-09" in text and "2025-09" in text
    assert "Acknowledged" in text and "Outstanding" in text


def test_a_line_manager_can_nudge_an_outstanding_report(client_as, org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)
    client_as("manager").post(reverse("acknowledgements:nudge", args=[assignment.pk]),
                              {"message": "Please do this today."})
    assert Nudge.objects.filter(assignment=assignment, sender=org.manager).count() == 1
    note = Notification.objects.get(recipient=org.staff, kind="ack.nudge")
    assert "Please do this today." in note.body
    assert note.url.startswith("/acknowledgements/link/")


def test_nudges_are_rate_limited(client_as, org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)
    client = client_as("manager")
    url = reverse("acknowledgements:nudge", args=[assignment.pk])
    client.post(url)
    second = client.post(url, follow=True).content.decode()
    assert "You can send another reminder" in second
    assert Nudge.objects.count() == 1


def test_nudges_are_recorded_in_the_audit_trail(client_as, org, published):
    from audit.models import AuditEvent

    assignment = Assignment.objects.get(person=org.staff, version=published)
    client_as("manager").post(reverse("acknowledgements:nudge", args=[assignment.pk]))
    event = AuditEvent.objects.get(action="acknowledgements.nudged")
    assert event.actor == org.manager


def test_nobody_but_the_line_manager_can_nudge(client_as, org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)
    url = reverse("acknowledgements:nudge", args=[assignment.pk])
    assert client_as("other_principal").post(url).status_code == 404
    assert client_as("staff").post(url).status_code == 403
    assert not Nudge.objects.exists()


def test_a_manager_can_record_on_behalf_with_an_attestation(client_as, org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)
    url = reverse("acknowledgements:on_behalf", args=[assignment.pk])
    client_as("manager").post(url, {"confirm": "on", "note": "Read together on Monday."})
    assignment.refresh_from_db()
    record = assignment.acknowledgement
    assert record.method == "on_behalf"
    assert record.recorded_by == org.manager
    assert "Read together on Monday." in record.attestation
    assert record.person == org.staff


def test_recording_on_behalf_needs_the_attestation_ticked(client_as, org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)
    url = reverse("acknowledgements:on_behalf", args=[assignment.pk])
    response = client_as("manager").post(url, {})
    assert "Tick the box" in response.content.decode()
    assignment.refresh_from_db()
    assert not assignment.is_done


def test_only_the_persons_managers_and_hr_can_record_on_their_behalf(client_as, org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)
    url = reverse("acknowledgements:on_behalf", args=[assignment.pk])
    assert client_as("other_principal").get(url).status_code == 404
    assert client_as("colleague" if False else "outsider").get(url).status_code == 403
    assert client_as("principal").get(url).status_code == 200
    assert client_as("hr").get(url).status_code == 200


def add_people(org, academies, count):
    for n in range(count):
        person_make(academy=academies[n % len(academies)], name=f"Bulk {n}", mfa=False,
                    password=None, line_manager=org.manager)


def acknowledge_a_third(version):
    waiting = Assignment.objects.filter(version=version, acknowledgement__isnull=True)
    total = Assignment.objects.filter(version=version).count()
    for a in waiting.select_related("person", "version", "version__policy")[:total // 3]:
        acknowledgement_record(assignment=a, method="portal", check_reading=False)


@pytest.mark.parametrize("page", ["trust", "academy", "team", "category"])
def test_dashboards_run_the_same_number_of_queries_for_10_and_200_people(
        client_as, org, policy, page, django_assert_num_queries, settings):
    settings.NAV_CACHE_SECONDS = 0  # the navigation is not what is measured here
    settings.COMPLIANCE_CACHE_SECONDS = 0  # nor the cache: the work of a dashboard is
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from acknowledgements.services import assignments_sync
    from tests.acknowledgements.conftest import publish, version_make

    version = publish(version_make(policy, only_sections=2))
    assert Assignment.objects.filter(version=version).count() == 10  # the org fixture
    acknowledge_a_third(version)
    client = client_as({"trust": "hr", "academy": "principal", "team": "manager",
                        "category": "ceo"}[page])
    url = url_for(page, org) + "?status=&sort=due"
    client.get(url)  # the first request of a session may cost more (e.g. the session row)
    with CaptureQueriesContext(connection) as at_10:
        assert client.get(url).status_code == 200
    assert len(at_10) <= 25

    add_people(org, [org.academy, academy_make(), academy_make()], 190)
    assignments_sync()
    acknowledge_a_third(version)
    assert Assignment.objects.filter(version=version).count() == 200
    with django_assert_num_queries(len(at_10)):
        assert client.get(url).status_code == 200


def test_a_principal_who_manages_people_can_switch_to_their_team_view(client_as, org,
                                                                      published):
    text = client_as("principal").get(url_for("academy", org)).content.decode()
    assert f'href="{reverse("acknowledgements:team")}"' in text
    assert f'href="{reverse("acknowledgements:trust")}"' not in text
