import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command

from notifications import reminders
from notifications.models import Delivery, Notification
from notifications.sweep import run_sweep
from notifications.tasks import daily_sweep, send_notification_email

TODAY = datetime.date(2026, 11, 26)


def test_a_due_reminder_becomes_a_notification_and_a_summary_email(org, collector, mails):
    collector.add(org.staff)
    result = run_sweep(today=TODAY)
    assert result.created == 1 and result.emails == 1
    assert Notification.objects.get().recipient == org.staff
    assert [m.to for m in mails()] == [org.staff.email]


def test_running_the_sweep_twice_sends_nothing_the_second_time(org, collector, mails):
    collector.add(org.staff)
    collector.add(org.manager, kind="ack.escalated_manager", about=org.staff)
    run_sweep(today=TODAY)
    second = run_sweep(today=TODAY)
    assert second.created == 0 and second.emails == 0 and second.already_sent == 2
    assert len(mails()) == 2


def test_a_retried_email_task_sends_one_email(org, mails, django_capture_on_commit_callbacks):
    from notifications.services import notify, preferences_update

    preferences_update(user=org.staff, choices={"acknowledgements": "immediate"})
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=org.staff, kind="ack.assigned", title="Please read",
                              about=org.academy)
    send_notification_email(notification.pk)
    send_notification_email(notification.pk)
    assert len(mails(org.staff)) == 1
    assert Delivery.objects.get().attempts == 1


def test_the_next_period_of_a_repeating_reminder_is_sent_again(org, collector, mails):
    collector.add(org.staff, period="overdue-week-1")
    run_sweep(today=TODAY)
    collector.due.clear()
    collector.add(org.staff, period="overdue-week-2")
    run_sweep(today=TODAY + datetime.timedelta(days=7))
    assert len(mails(org.staff)) == 2


def test_an_urgent_reminder_is_emailed_on_its_own_straight_away(org, collector, mails):
    collector.add(org.staff, kind="breach.new", urgent=True, title="A new case for you")
    run_sweep(today=TODAY, digest=False)
    [mail] = mails(org.staff)
    assert mail.subject == "[Urgent] A new case for you"


def test_a_failing_collector_does_not_stop_the_others(org, monkeypatch, mails):
    import sys
    import types

    broken = types.ModuleType("brokenapp.reminders")

    def explode(today):
        raise RuntimeError("database went away")
        yield  # pragma: no cover

    broken.collect_reminders = explode
    working = types.ModuleType("workingapp.reminders")
    working.collect_reminders = lambda today: [reminders.Reminder(
        recipient=org.staff, kind="ack.due_soon", title="Due soon", about=org.academy,
        period="due-7")]
    monkeypatch.setitem(sys.modules, "brokenapp.reminders", broken)
    monkeypatch.setitem(sys.modules, "workingapp.reminders", working)
    monkeypatch.setattr(reminders, "REMINDER_APPS", ["brokenapp", "workingapp"])
    result = run_sweep(today=TODAY)
    assert result.errors == ["brokenapp: RuntimeError: database went away"]
    assert len(mails(org.staff)) == 1


def test_apps_without_a_reminders_module_are_skipped(org, monkeypatch):
    monkeypatch.setattr(reminders, "REMINDER_APPS", ["accounts"])
    assert run_sweep(today=TODAY).collected == 0


def test_the_dry_run_prints_who_would_get_what_and_why_and_changes_nothing(
    org, collector, capsys, mails
):
    collector.add(org.staff, title="Please acknowledge the Social Media Policy",
                  reason="3 days overdue")
    call_command("send_reminders", "--dry-run", "--date", "2026-11-26")
    out = capsys.readouterr().out
    assert "Staff Member" in out and org.staff.email in out
    assert "Please acknowledge the Social Media Policy" in out
    assert "why: your acknowledgement of a policy is overdue (3 days overdue)" in out
    assert "[daily summary]" in out and "1 would be sent" in out
    assert Notification.objects.count() == 0 and mails() == []


def test_the_dry_run_marks_reminders_that_were_already_sent(org, collector, capsys):
    collector.add(org.staff)
    run_sweep(today=TODAY)
    call_command("send_reminders", "--dry-run", "--date", "2026-11-26")
    out = capsys.readouterr().out
    assert "[already sent]" in out and "0 would be sent" in out


def test_the_command_asks_collectors_about_the_date_given(org, collector):
    call_command("send_reminders", "--date", "2027-03-01")
    assert collector.days == [datetime.date(2027, 3, 1)]


@time_machine.travel(datetime.datetime(2026, 12, 1, 7, 0, tzinfo=datetime.UTC))
def test_the_command_uses_todays_london_date_by_default(org, collector):
    call_command("send_reminders")
    assert collector.days == [datetime.date(2026, 12, 1)]


def test_the_command_refuses_a_date_it_cannot_read(db):
    with pytest.raises(CommandError, match="--date must look like"):
        call_command("send_reminders", "--date", "26/11/2026")


def test_the_beat_task_runs_the_same_sweep(org, collector, mails):
    collector.add(org.staff)
    summary = daily_sweep("2026-11-26")
    assert "1 new" in summary and "1 emails sent" in summary
    assert len(mails(org.staff)) == 1


def test_a_leaver_who_is_no_longer_active_is_not_reminded(org, collector, mails):
    org.staff.is_active = False
    org.staff.save()
    collector.add(org.staff)
    run_sweep(today=TODAY)
    assert mails() == [] and Notification.objects.count() == 0


def test_the_schedules_are_in_the_database_for_administrators_to_change(db):
    from django_celery_beat.models import PeriodicTask

    sweep = PeriodicTask.objects.get(task="notifications.daily_sweep")
    flush = PeriodicTask.objects.get(task="notifications.flush_outbox")
    assert (sweep.crontab.hour, sweep.crontab.minute, str(sweep.crontab.timezone)) == (
        "7", "0", "Europe/London")
    assert flush.interval.every == 60 and sweep.enabled and flush.enabled
