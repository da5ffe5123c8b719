"""A worker stopped in the middle of a batch of emails re-sends nothing the mail server took."""

import datetime

import pytest
import time_machine

from notifications import services
from notifications.models import Delivery
from notifications.services import flush_outbox, notify, preferences_update

START = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=datetime.UTC)


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing after it runs, no except Exception catches it."""


class SmtpServer:
    """A mail server that accepts every email; the worker dies while sending the n-th."""

    def __init__(self, die_at: int | None = None):
        self.accepted: list[str] = []
        self.die_at = die_at

    def connection(self, **kwargs):
        server = self

        class Connection:
            def open(self):
                return True

            def close(self):
                pass

            def send_messages(self, messages):
                if server.die_at is not None and len(server.accepted) == server.die_at:
                    raise WorkerKilled()
                server.accepted.extend(m.to[0] for m in messages)
                return len(messages)

        return Connection()


@pytest.fixture
def three_waiting(org):
    people = [org.staff, org.colleague, org.manager]
    for person in people:
        preferences_update(user=person, choices={"acknowledgements": "immediate"})
    with time_machine.travel(START, tick=False):
        for person in people:
            notify(recipient=person, kind="ack.assigned", title="Please read the policy",
                   about=person, url="/acknowledgements/1/")
        services.route_pending(send=False)
    return people


def test_emails_sent_before_the_worker_died_are_not_sent_again(three_waiting, monkeypatch):
    server = SmtpServer(die_at=2)
    monkeypatch.setattr(services, "get_connection", server.connection)
    with time_machine.travel(START, tick=False) as clock:
        claimed = services._claim(list(Delivery.objects.values_list("pk", flat=True)))
        with pytest.raises(WorkerKilled):
            services._send_claimed(claimed)
        assert Delivery.objects.filter(status="sent").count() == 2
        server.die_at = None
        clock.shift(datetime.timedelta(minutes=16))  # the dead worker's claim goes stale
        flush_outbox()
    assert sorted(server.accepted) == sorted(p.email for p in three_waiting)
    assert Delivery.objects.filter(status="sent").count() == 3
