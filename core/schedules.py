"""Every periodic Celery task, in one place.

The rows live in django-celery-beat's tables so an administrator can change times in the
admin. `ensure_default_schedules()` runs after every `migrate` (and after test flushes): it
creates a schedule that is missing, and never overwrites one an administrator has changed.
"""

from dataclasses import dataclass

LONDON = "Europe/London"


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    description: str
    #: (every, period) with period "seconds" or "minutes"
    every: tuple[int, str] | None = None
    #: (minute, hour) in London time, daily
    daily_at: tuple[str, str] | None = None
    #: with daily_at: the days of the week it runs on (crontab style, "1" = Monday)
    day_of_week: str = "*"


SCHEDULES = [
    Schedule("Worker heartbeat (health check)", "core.heartbeat",
             "Proves a worker is consuming the queue; /healthz reads it.", every=(30, "seconds")),
    Schedule("Send waiting notification emails (outbox)", "notifications.flush_outbox",
             "Sends notifications the broker missed and retries failed emails with back-off.",
             every=(60, "seconds")),
    Schedule("Daily reminders and summary emails", "notifications.daily_sweep",
             "Collects today's reminders from every app and sends each person one summary "
             "email. Safe to run more than once a day.", daily_at=("0", "7")),
    Schedule("Acknowledgements: ask joiners (daily)", "acknowledgements.assign_joiners",
             "Asks people who start today (or newly join an audience) to acknowledge.",
             daily_at=("15", "6")),
    Schedule("Acknowledgements: send the signed chain head to HR and the Board (weekly)",
             "acknowledgements.publish_chain_head",
             "Anchors the acknowledgement evidence outside the database: HR and the Board keep "
             "the head to check later with verify_acknowledgements --head.",
             daily_at=("30", "6"), day_of_week="1"),
    Schedule("Approvals: expire undecided posts and end expired exceptions/monitoring",
             "approvals.expire_and_end",
             "Posts expire at their planned time; exceptions and monitoring end by themselves.",
             every=(15, "minutes")),
    Schedule("Delete expired audit pack files", "auditpacks.cleanup_packs",
             "Deletes generated PDFs past AUDIT_PACK_RETENTION_DAYS; records stay.",
             daily_at=("40", "3")),
    Schedule("Breach cases: apply retention", "breaches.apply_retention",
             "Anonymises closed cases past their retention date; legal holds are skipped.",
             daily_at=("10", "2")),
]


def ensure_default_schedules(using: str = "default") -> int:
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    created = 0
    for schedule in SCHEDULES:
        if PeriodicTask.objects.using(using).filter(name=schedule.name).exists():
            continue
        fields: dict = {"task": schedule.task, "description": schedule.description,
                        "enabled": True}
        if schedule.every is not None:
            every, period = schedule.every
            fields["interval"], _ = IntervalSchedule.objects.using(using).get_or_create(
                every=every, period=period
            )
        else:
            minute, hour = schedule.daily_at
            fields["crontab"], _ = CrontabSchedule.objects.using(using).get_or_create(
                minute=minute, hour=hour, day_of_week=schedule.day_of_week, day_of_month="*",
                month_of_year="*",
                timezone=LONDON,
            )
        PeriodicTask.objects.using(using).create(name=schedule.name, **fields)
        created += 1
    return created


def on_post_migrate(sender, using="default", **kwargs) -> None:
    if sender.name == "core":
        ensure_default_schedules(using)
