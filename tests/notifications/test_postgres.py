"""Exactly-once under real concurrency, and a real round trip through Redis and a worker.

Both need PostgreSQL (run with DATABASE_URL=postgres://…); the round trip also needs Redis.
"""

import datetime
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection, transaction

from accounts.models import Role
from core.models import OutboxMessage
from notifications.models import Delivery, Notification
from notifications.sweep import run_sweep
from tests.factories import academy_make, person_make

ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime.date(2026, 11, 26)


@pytest.fixture
def people(transactional_db, postgres_only):
    academy = academy_make("Concurrency Academy")
    manager = person_make(academy=academy, name="Busy Manager", password=None)
    staff = [person_make(academy=academy, line_manager=manager, password=None,
                         name=f"Teacher {n}") for n in range(40)]
    return manager, staff


def _two_sweeps_at_once(collector) -> list:
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait(timeout=10)
            results.append(run_sweep(today=TODAY))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return results


def test_two_sweeps_at_once_send_each_reminder_exactly_once(people, collector):
    manager, staff = people
    for person in staff:
        collector.add(person, kind="ack.overdue", period="overdue-week-1")
        collector.add(manager, kind="ack.escalated_manager", about=person,
                      period="overdue-day-7")
    results = _two_sweeps_at_once(collector)
    assert sum(r.emails for r in results) == 41
    assert Notification.objects.count() == 80
    assert OutboxMessage.objects.count() == 41  # one summary for each teacher and the manager
    assert OutboxMessage.objects.filter(to=manager.email).count() == 1
    assert Delivery.objects.filter(status="sent").count() == 41


def test_two_sweeps_at_once_send_urgent_reminders_exactly_once(people, collector):
    _, staff = people
    for person in staff:
        collector.add(person, kind="breach.safeguarding", urgent=True, period="flag")
    _two_sweeps_at_once(collector)
    assert OutboxMessage.objects.count() == 40
    assert set(OutboxMessage.objects.values_list("to", flat=True)) == {p.email for p in staff}


def test_a_retried_task_after_a_sweep_sends_nothing_more(people, collector):
    from notifications.tasks import daily_sweep, send_notification_email

    _, staff = people
    collector.add(staff[0], urgent=True)
    daily_sweep(TODAY.isoformat())
    send_notification_email(Notification.objects.get().pk)
    daily_sweep(TODAY.isoformat())
    assert OutboxMessage.objects.count() == 1


def _forget_connections(app) -> None:
    """Make the next publish connect to the broker now configured."""
    app._pool = None
    app.amqp._producer_pool = None


def _redis_url() -> str:
    return os.environ.get("NOTIFICATIONS_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def _redis_or_skip(url: str):
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"needs Redis at {url}")
    return client


def test_a_notification_queued_by_the_portal_is_sent_by_a_celery_worker_through_redis(
    transactional_db, postgres_only, monkeypatch
):
    from portal.celery import app

    url = _redis_url()
    _redis_or_skip(url)
    academy = academy_make("Round Trip Academy")
    person = person_make(academy=academy, role=Role.STAFF, name="Round Trip", password=None)
    queue = f"notifications-test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}},
        "PORTAL_TESTING": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                        f"{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "core.mail.OutboxEmailBackend",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
         "--loglevel=info", "-Q", queue, "--without-heartbeat", "--without-gossip",
         "--without-mingle", "-n", f"{queue}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(iter(worker.stdout.readline, "")),
                              daemon=True)
    reader.start()
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager",
                                            "task_default_queue", "result_backend")}
    try:
        app.conf.update(broker_url=url, task_always_eager=False, task_default_queue=queue,
                        result_backend=None)
        _forget_connections(app)
        ready_by = time.monotonic() + 90  # a loaded CI machine can take a while to start it
        while not any(" ready." in line for line in output):
            assert worker.poll() is None and time.monotonic() < ready_by, "".join(output)
            time.sleep(0.2)
        from notifications import services
        from notifications.services import notify

        def not_here(**kwargs):
            raise AssertionError("the email was sent by the test process, not the worker")

        monkeypatch.setattr(services, "delivery_send", not_here)

        with transaction.atomic():  # the row commits first; the task is queued on commit
            notification = notify(recipient=person, kind="breach.new", urgent=True,
                                  title="A new case has been reported to you",
                                  about=academy, url="/breaches/1/")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            if OutboxMessage.objects.filter(to=person.email).exists():
                break
            time.sleep(0.25)
        assert worker.poll() is None, "".join(output)
        assert OutboxMessage.objects.filter(to=person.email).exists(), "".join(output)
        mail = OutboxMessage.objects.get(to=person.email)
        assert mail.subject == "[Urgent] A new case has been reported to you"
        delivery = Delivery.objects.get(notifications=notification)
        assert delivery.status == "sent" and delivery.attempts == 1
    finally:
        app.conf.update(saved)
        _forget_connections(app)
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)
        connection.close()
