import datetime

from django.utils import timezone

from acknowledgements.models import Assignment
from acknowledgements.reminders import collect_reminders
from acknowledgements.services import acknowledgement_record


def kinds_for(person, today):
    return {(r.kind, r.period) for r in collect_reminders(today) if r.recipient == person}


def set_due(person, version, due):
    Assignment.objects.filter(person=person, version=version).update(
        assigned_on=min(due, timezone.localdate()), due_on=due)


def test_a_person_is_told_when_they_are_asked_with_a_signed_link(org, published):
    today = timezone.localdate()
    reminder = next(r for r in collect_reminders(today)
                    if r.recipient == org.staff and r.kind == "ack.assigned")
    assert reminder.url.startswith("/acknowledgements/link/")
    assert "Social Media Policy" in reminder.title


def test_a_reminder_is_sent_shortly_before_the_due_date(org, published):
    today = timezone.localdate()
    set_due(org.staff, published, today + datetime.timedelta(days=2))
    assert ("ack.due_soon", "due-soon") in kinds_for(org.staff, today)


def test_no_due_soon_reminder_a_week_before(org, published):
    today = timezone.localdate()
    set_due(org.staff, published, today + datetime.timedelta(days=7))
    assert not any(kind == "ack.due_soon" for kind, _ in kinds_for(org.staff, today))


def test_overdue_reminders_repeat_every_week(org, published):
    due = timezone.localdate() - datetime.timedelta(days=30)
    set_due(org.staff, published, due)
    periods = {period for day in (1, 7, 8, 15)
               for kind, period in kinds_for(org.staff, due + datetime.timedelta(days=day))
               if kind == "ack.overdue"}
    assert periods == {"overdue-0", "overdue-1", "overdue-2"}


def test_the_line_manager_is_told_after_a_week_overdue(org, published):
    due = timezone.localdate() - datetime.timedelta(days=30)
    set_due(org.staff, published, due)
    assert not kinds_for(org.manager, due + datetime.timedelta(days=6)) & {
        ("ack.escalated_manager", "escalated-manager")}
    escalations = [r for r in collect_reminders(due + datetime.timedelta(days=7))
                   if r.kind == "ack.escalated_manager"]
    assert [(r.recipient, r.about.person) for r in escalations] == [(org.manager, org.staff)]


def test_the_principal_is_told_after_two_weeks_overdue(org, published):
    due = timezone.localdate() - datetime.timedelta(days=30)
    set_due(org.staff, published, due)
    escalations = [r for r in collect_reminders(due + datetime.timedelta(days=14))
                   if r.kind == "ack.escalated_principal"]
    assert [r.recipient for r in escalations] == [org.principal]


def test_nobody_is_reminded_once_they_have_acknowledged(org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)
    acknowledgement_record(assignment=assignment, method="portal", check_reading=False)
    assert not kinds_for(org.staff, timezone.localdate())


def test_leavers_are_not_reminded(org, published):
    org.staff.start_date = datetime.date(2020, 1, 1)
    org.staff.leaving_date = timezone.localdate() - datetime.timedelta(days=1)
    org.staff.save()
    assert not kinds_for(org.staff, timezone.localdate())


def test_the_sweep_sends_each_reminder_once(org, published):
    from notifications.models import Notification
    from notifications.services import notify

    today = timezone.localdate()
    for _ in range(2):
        for r in collect_reminders(today):
            notify(recipient=r.recipient, kind=r.kind, title=r.title, body=r.body, url=r.url,
                   about=r.about, period=r.period, urgent=r.urgent)
    assert Notification.objects.filter(recipient=org.staff, kind="ack.assigned").count() == 1
