"""The daily sweep: ask every app what is due today, record it once, send it.

Run by Celery beat (`notifications.daily_sweep`) and by `manage.py send_reminders`.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import date

from core.dates import format_date
from notifications import reminders
from notifications.models import Notification
from notifications.services import (
    digests_send,
    notifications_record,
    queue_deferred,
    route_pending,
)

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    today: date
    collected: int = 0
    created: int = 0
    already_sent: int = 0
    emails: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    #: For a dry run: (reminder, already_sent) in the order collected.
    planned: list = field(default_factory=list)

    def summary(self) -> str:
        text = (f"{format_date(self.today)}: {self.collected} reminders due, {self.created} new, "
                f"{self.already_sent} already sent before; {self.emails} emails sent "
                f"in {self.seconds:.1f} s")
        if self.errors:
            text += f"; {len(self.errors)} collector errors"
        return text


def _key(reminder: reminders.Reminder) -> tuple:
    about = reminder.about
    return (
        reminder.recipient.pk, reminder.kind[:60],
        about._meta.label_lower if about is not None else "",
        str(about.pk) if about is not None else "", reminder.period[:40],
    )


def _collect(today: date, result: SweepResult):
    """Every app's reminders; one app failing does not stop the others."""
    for app, module in reminders.collectors():
        try:
            yield from module.collect_reminders(today)
        except Exception as exc:
            log.exception("Reminder collector %s failed", app)
            result.errors.append(f"{app}: {type(exc).__name__}: {exc}")


def _collected(today: date, result: SweepResult):
    # Tests and the benchmark may replace collect_all; otherwise collect app by app.
    if reminders.collect_all is not _ORIGINAL_COLLECT_ALL:
        return reminders.collect_all(today)
    return _collect(today, result)


_ORIGINAL_COLLECT_ALL = reminders.collect_all


def run_sweep(*, today: date, dry_run: bool = False, digest: bool = True) -> SweepResult:
    """Record today's reminders once each, then send what is due.

    Each batch of reminders is written with one INSERT … ON CONFLICT DO NOTHING against the
    unique (recipient, kind, about, period) rule: the same outcome as calling notify() for each,
    without a round trip per reminder. Two sweeps at once cannot both insert a row.
    """
    started = time.monotonic()
    result = SweepResult(today=today)
    batch: list[reminders.Reminder] = []

    def flush_batch() -> None:
        existing = _existing({_key(r) for r in batch})
        fresh: dict[tuple, reminders.Reminder] = {}
        for reminder in batch:
            key = _key(reminder)
            seen = key in existing
            if dry_run:
                result.planned.append((reminder, seen))
            if seen or key in fresh:
                result.already_sent += 1
            elif reminder.recipient is not None and reminder.recipient.is_active:
                fresh[key] = reminder
        if fresh and not dry_run:
            result.created += notifications_record(reminders=list(fresh.values()))
        batch.clear()

    with queue_deferred():
        for reminder in _collected(today, result):
            result.collected += 1
            batch.append(reminder)
            if len(batch) >= 1000:
                flush_batch()
        flush_batch()
    if not dry_run:
        result.emails += route_pending()
        if digest:
            result.emails += digests_send(today=today)
    result.seconds = time.monotonic() - started
    return result


def _existing(keys: set[tuple]) -> set[tuple]:
    """Which of these (recipient, kind, about_type, about_id, period) already exist."""
    if not keys:
        return set()
    recipients = {k[0] for k in keys}
    kinds = {k[1] for k in keys}
    periods = {k[4] for k in keys}
    rows = Notification.objects.filter(
        recipient_id__in=recipients, kind__in=kinds, period__in=periods
    ).values_list("recipient_id", "kind", "about_type", "about_id", "period")
    return {row for row in rows if row in keys}
