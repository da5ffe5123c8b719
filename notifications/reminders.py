"""The contract between the daily reminder sweep and the apps that have reminders to send.

An app with time-based reminders has a `reminders.py` with:

    def collect_reminders(today: datetime.date) -> Iterable[Reminder]: ...

The sweep (`manage.py send_reminders`, and Celery beat daily) calls every app's collector and
passes each Reminder to `notifications.services.notify()`. A collector only *reads*: it yields
what is due today; the unique (recipient, kind, about, period) rule makes sure a reminder whose
period was already sent is not sent again, however often the sweep runs.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

REMINDER_APPS = ["policies", "acknowledgements", "breaches", "approvals"]


@dataclass(frozen=True)
class Reminder:
    recipient: object  # accounts.User
    kind: str  # dotted code, e.g. "ack.due_soon", "ack.overdue", "ack.escalated_manager"
    title: str
    about: object  # the model instance it is about
    period: str  # e.g. "2026-11-26" or "overdue-week-3": one send per period
    body: str = ""
    url: str = ""
    urgent: bool = False
    #: Why it is sent, shown in the email and by `send_reminders --dry-run`.
    reason: str = ""


def collectors() -> Iterator[tuple[str, object]]:
    """(app, its `reminders` module) for every app in REMINDER_APPS that has one."""
    from core.hooks import app_module

    for app in REMINDER_APPS:
        module = app_module(app, "reminders")
        if module is not None:
            yield app, module


def collect_all(today) -> Iterator[Reminder]:
    for _app, module in collectors():
        collected: Iterable[Reminder] = module.collect_reminders(today)
        yield from collected
