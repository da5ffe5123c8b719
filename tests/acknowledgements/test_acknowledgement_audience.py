import datetime

import time_machine
from django.utils import timezone

from accounts.models import Category, Role
from acknowledgements.models import Assignment
from acknowledgements.selectors import compliance_summary
from acknowledgements.services import assignments_sync
from tests.acknowledgements.conftest import policy_make, publish, version_make
from tests.factories import person_make


def asked(version):
    return set(Assignment.objects.filter(version=version).values_list("person__full_name",
                                                                      flat=True))


def test_publishing_a_first_version_asks_everyone_in_the_audience(org, published):
    assert {"Staff Member", "Staff Colleague", "Other Staff", "Human Resources"} <= asked(
        published)


def test_the_due_date_is_the_policys_number_of_days_after_publishing(org):
    policy = policy_make(acknowledgement_due_days=30)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)):
        version = publish(version_make(policy))
    assignment = Assignment.objects.get(version=version, person=org.staff)
    assert assignment.due_on == datetime.date(2026, 4, 1)


def test_an_audience_limited_to_one_academy_asks_nobody_elsewhere(org):
    version = publish(version_make(policy_make(audience_academies=[org.academy])))
    assert "Staff Member" in asked(version)
    assert "Other Staff" not in asked(version)
    assert "Human Resources" not in asked(version)


def test_an_audience_by_category_asks_only_those_categories(org):
    volunteer = person_make(academy=org.academy, category=Category.VOLUNTEER, name="Vol Unteer")
    version = publish(version_make(policy_make(audience_categories=[Category.VOLUNTEER])))
    assert asked(version) == {volunteer.full_name}


def test_an_audience_by_role_asks_only_those_roles(org):
    version = publish(version_make(policy_make(audience_roles=[Role.PRINCIPAL])))
    assert asked(version) == {"Principal North", "Principal River"}


def test_leavers_are_not_asked(org):
    org.colleague.start_date = datetime.date(2020, 1, 1)
    org.colleague.leaving_date = datetime.date(2021, 1, 1)
    org.colleague.save()
    version = publish(version_make(policy_make()))
    assert "Staff Colleague" not in asked(version)


def test_a_leaver_drops_out_of_the_figures_but_keeps_their_history(org, published):
    before = compliance_summary(published)
    org.colleague.start_date = datetime.date(2020, 1, 1)
    org.colleague.leaving_date = timezone.localdate() - datetime.timedelta(days=1)
    org.colleague.save()
    after = compliance_summary(published)
    assert after["total"] == before["total"] - 1
    assert Assignment.objects.filter(person=org.colleague, version=published).exists()


def test_a_joiner_is_asked_on_their_start_date_with_the_due_date_counted_from_it(org):
    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC)):
        version = publish(version_make(policy_make(acknowledgement_due_days=14)))
        joiner = person_make(academy=org.academy, name="New Joiner",
                             start_date=datetime.date(2026, 2, 2))
        assignments_sync()
        assert "New Joiner" not in asked(version)
    with time_machine.travel(datetime.datetime(2026, 2, 2, 7, tzinfo=datetime.UTC)):
        assignments_sync()
    assignment = Assignment.objects.get(version=version, person=joiner)
    assert assignment.assigned_on == datetime.date(2026, 2, 2)
    assert assignment.due_on == datetime.date(2026, 2, 16)
    assert assignment.source == Assignment.Source.JOINER


def test_the_daily_job_asks_nobody_twice(org, published):
    person_make(academy=org.academy, name="Another Person")
    assert assignments_sync() == 1
    assert assignments_sync() == 0


def test_a_material_change_asks_everyone_to_acknowledge_again(org, published):
    from acknowledgements.services import acknowledgement_record

    first = Assignment.objects.get(version=published, person=org.staff)
    acknowledgement_record(assignment=first, method="portal", check_reading=False)
    v2 = publish(version_make(published.policy, "2025-09", changes={"1.1": "Changed."}))
    again = Assignment.objects.get(version=v2, person=org.staff)
    assert not again.is_done
    assert again.source == Assignment.Source.PUBLISHED


def test_a_minor_change_asks_nobody_to_acknowledge_again(org, published):
    from acknowledgements.services import acknowledgement_record

    first = Assignment.objects.get(version=published, person=org.staff)
    record = acknowledgement_record(assignment=first, method="portal",
                                    check_reading=False).record
    v2 = publish(version_make(published.policy, "2023-10", changes={"1.1": "Typo fixed."}),
                 material=False)
    carried = Assignment.objects.get(version=v2, person=org.staff)
    assert carried.is_done
    assert carried.acknowledgement == record
    assert compliance_summary(v2)["done"] == 1


def test_a_minor_change_keeps_outstanding_people_outstanding_with_the_same_due_date(
        org, published):
    old = Assignment.objects.get(version=published, person=org.colleague)
    v2 = publish(version_make(published.policy, "2023-10", changes={"1.1": "Typo fixed."}),
                 material=False)
    carried = Assignment.objects.get(version=v2, person=org.colleague)
    assert not carried.is_done
    assert carried.due_on == old.due_on


def test_a_minor_change_tells_people_what_changed(org, published):
    from acknowledgements.reminders import collect_reminders

    v2 = version_make(published.policy, "2023-10", changes={"1.1": "Typo fixed."})
    v2.change_summary = "Fixed a typing error in 1.1."
    v2.save()
    publish(v2, material=False)
    notices = [r for r in collect_reminders(timezone.localdate()) if r.kind == "ack.minor_change"]
    staff_notice = next(r for r in notices if r.recipient == org.staff)
    assert "Fixed a typing error in 1.1." in staff_notice.body
    assert "do not need to acknowledge it again" in staff_notice.body
