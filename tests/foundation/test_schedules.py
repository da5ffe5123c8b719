from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from core.schedules import SCHEDULES, ensure_default_schedules


def test_every_periodic_task_has_a_schedule_in_the_database(db):
    scheduled = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {s.task for s in SCHEDULES} <= scheduled


def test_every_scheduled_task_is_a_registered_celery_task(db):
    from portal.celery import app

    app.loader.import_default_modules()
    assert {s.task for s in SCHEDULES} <= set(app.tasks)


def test_a_time_changed_by_an_administrator_is_kept_after_migrate(db):
    from django_celery_beat.models import IntervalSchedule

    heartbeat = PeriodicTask.objects.get(task="core.heartbeat")
    heartbeat.interval, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    heartbeat.save()
    call_command("migrate", verbosity=0)
    assert PeriodicTask.objects.get(task="core.heartbeat").interval.every == 5


def test_a_deleted_schedule_comes_back_and_nothing_is_duplicated(db):
    PeriodicTask.objects.filter(task="notifications.daily_sweep").delete()
    assert ensure_default_schedules() == 1
    assert ensure_default_schedules() == 0
    assert PeriodicTask.objects.filter(task="notifications.daily_sweep").count() == 1
