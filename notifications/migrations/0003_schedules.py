"""Beat schedules held in the database, so an administrator can change times in the admin."""

from django.db import migrations

SWEEP = "Daily reminders and summary emails"
FLUSH = "Send waiting notification emails (outbox)"


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    seven_am, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="7", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Europe/London",
    )
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.get_or_create(
        name=SWEEP,
        defaults={"task": "notifications.daily_sweep", "crontab": seven_am, "enabled": True,
                  "description": "Collects today's reminders from every app and sends each "
                                 "person one summary email. Safe to run more than once a day."},
    )
    PeriodicTask.objects.get_or_create(
        name=FLUSH,
        defaults={"task": "notifications.flush_outbox", "interval": every_minute,
                  "enabled": True,
                  "description": "Sends notifications the broker missed and retries failed "
                                 "emails with back-off."},
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[SWEEP, FLUSH]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_email_state_delivery_preferences"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
