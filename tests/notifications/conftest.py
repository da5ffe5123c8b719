import pytest

from core.models import OutboxMessage
from notifications import reminders
from notifications.reminders import Reminder


class FakeCollector:
    """Stands in for the apps' reminders.py: yields whatever the test puts in `due`."""

    def __init__(self):
        self.due: list[Reminder] = []
        self.days: list = []

    def __call__(self, today):
        self.days.append(today)
        return list(self.due)

    def add(self, recipient, *, kind="ack.overdue", period="2026-11-26", about=None,
            title=None, urgent=False, url="/acknowledgements/sign/abc/", reason="") -> Reminder:
        reminder = Reminder(
            recipient=recipient, kind=kind, title=title or f"{kind} for {recipient.full_name}",
            about=about or recipient, period=period, url=url, urgent=urgent,
            reason=reason or "not yet acknowledged",
        )
        self.due.append(reminder)
        return reminder


@pytest.fixture
def collector(monkeypatch):
    fake = FakeCollector()
    monkeypatch.setattr(reminders, "collect_all", fake)
    return fake


@pytest.fixture
def mails():
    """The emails in the database outbox, oldest first."""

    def read(to=None):
        qs = OutboxMessage.objects.order_by("pk")
        if to is not None:
            qs = qs.filter(to=to.email)
        return list(qs)

    return read


@pytest.fixture(autouse=True)
def outbox_backend(settings):
    settings.EMAIL_BACKEND = "core.mail.OutboxEmailBackend"
