"""Fault: the Celery worker is killed (SIGKILL) in the middle of the daily reminder sweep.

    .venv/bin/python scripts/faults/worker_kill.py

Uses its own Redis (127.0.0.1:6390, started and stopped here; the machine's shared Redis is
not touched) and its own database (portal_faults_worker, rebuilt each run: the demo trust and
2,000 people with overdue acknowledgements). It works out with a dry run how many reminders are
due on a day 45 days ahead, queues the sweep for that day, kills the worker with SIGKILL once
the sweep's emails have started going out, restarts it and queues the sweep again (as beat's
next run, or an operator running `manage.py send_reminders`, would) and the outbox flush (as
beat does every minute). Redis would also hand the killed task back by itself after the
broker's visibility timeout (an hour). It then checks that every reminder was recorded once,
that every person with a reminder got their email, that nobody got the same email twice, and
that no email is left stuck. Exit status 0 when all hold.
"""

import contextlib
import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from _server import (  # noqa: E402
    PYTHON,
    database_create,
    manage,
    port_is_free,
    portal_env,
    run_script,
)

REDIS_PORT = 6390
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_faults_worker"


def sql(query: str, *params):
    import psycopg2

    with psycopg2.connect(DATABASE_URL) as connection, connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    connection.close()
    return rows


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    output = log.open("ab")
    worker = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=info",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-n", "faults@%h"],
        cwd=ROOT, env=env, stdout=output, stderr=output, start_new_session=True,
    )
    output.close()
    return worker


def queue_task(env: dict, dotted: str, *args) -> None:
    module, name = dotted.rsplit(".", 1)
    code = (f"import django; django.setup(); from {module} import {name}; "
            f"{name}.delay(*{args!r})")
    subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)


def queue_sweep(env: dict, day: str) -> None:
    queue_task(env, "notifications.tasks.daily_sweep", day)


def queue_length() -> int:
    result = subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "llen", "celery"],
                            capture_output=True, text=True, timeout=10)
    return int(result.stdout.strip() or 0)


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise TimeoutError(f"gave up waiting for {what} after {seconds:.0f}s")


def main() -> int:
    var_dir = ROOT / "var" / "faults-worker"
    var_dir.mkdir(parents=True, exist_ok=True)
    if not port_is_free(REDIS_PORT):
        print(f"127.0.0.1:{REDIS_PORT} is in use; stop whatever runs there first")
        return 1
    redis_url = f"redis://127.0.0.1:{REDIS_PORT}/0"
    env = portal_env(DATABASE_URL, var_dir, REDIS_URL=redis_url,
                     CELERY_TASK_ALWAYS_EAGER="0", LOG_LEVEL="INFO")
    subprocess.run(["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "yes",
                    "--pidfile", str(var_dir / "redis.pid")], check=True)
    worker = None
    try:
        print("preparing the database (migrate, seed_demo, 2,000 people)…", flush=True)
        database_create(DATABASE_URL, fresh=True)
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        run_script(env, ROOT / "bench" / "_seed.py", "--people", "2000", "--academies", "4",
                   "--ack-users", "0", "--read-users", "0")
        day = (datetime.date.today() + datetime.timedelta(days=45)).isoformat()
        dry = manage(env, "send_reminders", "--dry-run", "--date", day)
        expected = sum(1 for line in dry.splitlines()
                       if line.startswith("- [") and not line.startswith("- [already sent]"))
        print(f"the sweep for {day} has {expected} reminders to record and send", flush=True)
        if expected < 100:
            print("too few reminders for the fault to land mid-sweep")
            return 1

        log = var_dir / "worker.log"
        worker = start_worker(env, log)
        wait_for(lambda: b" ready." in log.read_bytes(), 120, "the worker to start")
        # Let it finish what the demo seed queued, so only the sweep's emails are counted.
        wait_for(lambda: queue_length() == 0, 300, "the seed's emails to go")
        time.sleep(3)
        before_notes = sql("SELECT count(*) FROM notifications_notification")[0][0]
        before_mail = sql("SELECT count(*) FROM core_outboxmessage")[0][0]
        last_seed_mail = sql("SELECT coalesce(max(id), 0) FROM core_outboxmessage")[0][0]
        queue_sweep(env, day)

        def mails() -> int:
            return sql("SELECT count(*) FROM core_outboxmessage")[0][0] - before_mail

        wait_for(lambda: mails() > 0, 300, "the sweep to start sending")
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        killed_time = datetime.datetime.now(datetime.UTC)
        killed_at = (sql("SELECT count(*) FROM notifications_notification")[0][0] - before_notes,
                     mails())
        print(f"worker killed (SIGKILL) with {killed_at[0]} reminders recorded and "
              f"{killed_at[1]} emails sent", flush=True)

        worker = start_worker(env, log)
        wait_for(lambda: log.read_bytes().count(b" ready.") >= 2, 120, "the worker to restart")
        queue_sweep(env, day)  # beat's next run, or `manage.py send_reminders`

        def finished() -> bool:
            stuck = sql("SELECT count(*) FROM notifications_delivery "
                        "WHERE status IN ('pending', 'sending')")[0][0]
            new = sql("SELECT count(*) FROM notifications_notification "
                      "WHERE email_state IN ('new', 'digest')")[0][0]
            done = sql("SELECT count(*) FROM notifications_notification")[0][0] - before_notes
            return done >= expected and stuck == 0 and new == 0

        deadline = time.monotonic() + 600
        while not finished():  # beat queues the outbox flush every minute; so do we, faster
            if time.monotonic() > deadline:
                raise TimeoutError("gave up waiting for the restarted sweep to finish")
            # Deliveries the killed worker had claimed stay "sending" until the claim is 15
            # minutes old (notifications.services.STALE_CLAIM); then the flush retries them.
            # Age those claims instead of waiting a quarter of an hour.
            aged = sql("UPDATE notifications_delivery SET claimed_at = claimed_at - "
                       "interval '16 minutes' WHERE status = 'sending' AND claimed_at < %s "
                       "AND claimed_at > %s - interval '15 minutes' RETURNING id",
                       killed_time, killed_time)
            if aged:
                print(f"  {len(aged)} deliveries claimed by the killed worker: their claim is "
                      "aged by 16 minutes, as if the stale-claim timeout had passed", flush=True)
            queue_task(env, "notifications.tasks.flush_outbox")
            time.sleep(15)
        recorded = sql("SELECT count(*) FROM notifications_notification")[0][0] - before_notes
        duplicates = sql('SELECT "to", subject, count(*) FROM core_outboxmessage '
                         "WHERE id > %s GROUP BY 1, 2 HAVING count(*) > 1", last_seed_mail)
        unsent = sql("SELECT count(DISTINCT n.recipient_id) FROM notifications_notification n "
                     "WHERE n.email_state NOT IN ('immediate', 'digested', 'none')")[0][0]
        problems = []
        if recorded != expected:
            problems.append(f"{recorded} reminders recorded, {expected} expected")
        if duplicates:
            problems.append(f"{len(duplicates)} emails sent twice, e.g. {duplicates[:3]}")
        if unsent:
            problems.append(f"{unsent} people still waiting for their email")
        print(f"after the restart: {recorded} reminders recorded, {mails()} emails sent, "
              f"{len(duplicates)} duplicates")
        print("PASS: the sweep finished after the kill and nobody got a duplicate"
              if not problems else "FAIL:\n  " + "\n  ".join(problems))
        return 1 if problems else 0
    finally:
        if worker is not None and worker.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.wait(timeout=15)
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
        subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"],
                       capture_output=True, timeout=30)


if __name__ == "__main__":
    sys.exit(main())
