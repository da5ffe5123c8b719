"""Benchmark the daily reminder sweep: 10,000 people, 20 academies, realistic outstanding work.

    .venv/bin/python bench/bench_reminders.py [--people 10000] [--academies 20] [--keep]

Uses its own PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/portal_bench_reminders), created and migrated if missing and
emptied of people first. Mail goes to the database outbox. Runs the sweep twice on the same day
and prints both times and the number of emails; the second run must send nothing.

Outstanding work is generated to match the trust's real rules (acknowledgements: assigned in
the last fortnight, due soon, overdue repeating weekly, escalated to the line manager at 7 days
and to the Principal at 14; policy reviews to the owner and HR; breach steps due to handlers;
approvals waiting for a decision), through a collector standing in for the apps' reminders.py,
so the figure measures the notifications engine itself.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/portal_bench_reminders"


def prepare_environment(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ["EMAIL_BACKEND"] = "core.mail.OutboxEmailBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    admin = psycopg2.connect(dbname="postgres", user=config["USER"], host=config["HOST"],
                             port=config["PORT"] or 5432, password=config["PASSWORD"] or None)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    admin.close()


def build_trust(people: int, academies: int):
    from django.db import connection

    from accounts.models import Academy, Role, User

    with connection.cursor() as cursor:
        # A scratch database: the append-only tables refuse TRUNCATE (audit migration 0004);
        # the bench connects as a superuser, which may switch user triggers off for a session.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            "TRUNCATE accounts_user, accounts_academy, core_outboxmessage, "
            "notifications_notification, notifications_delivery, notifications_preference, "
            "audit_auditevent RESTART IDENTITY CASCADE"
        )
        cursor.execute("RESET session_replication_role")
    central = Academy.objects.create(name="Central Trust Team", code="central", is_central=True)
    schools = Academy.objects.bulk_create(
        [Academy(name=f"Academy {n:02d}", code=f"academy-{n:02d}") for n in range(academies)]
    )
    password = "!unusable"
    leaders = User.objects.bulk_create([
        User(email="ceo@bench.example", full_name="Chief Executive", role=Role.CEO,
             academy=central, password=password),
        User(email="hr@bench.example", full_name="HR Manager", role=Role.HR, academy=central,
             password=password),
    ])
    ceo = leaders[0]
    principals = User.objects.bulk_create([
        User(email=f"principal{n}@bench.example", full_name=f"Principal {n}",
             role=Role.PRINCIPAL, academy=school, line_manager=ceo, password=password)
        for n, school in enumerate(schools)
    ])
    per_school = max((people - 2 - academies) // academies, 2)
    managers, staff = [], []
    for n, (school, principal) in enumerate(zip(schools, principals, strict=True)):
        team_count = max(per_school // 12, 1)
        managers.extend(
            User(email=f"manager{n}-{m}@bench.example", full_name=f"Manager {n}-{m}",
                 academy=school, line_manager=principal, password=password)
            for m in range(team_count)
        )
    User.objects.bulk_create(managers, batch_size=1000)
    by_school: dict[int, list] = {}
    for manager in managers:
        by_school.setdefault(manager.academy_id, []).append(manager)
    remaining = people - 2 - academies - len(managers)
    for i in range(remaining):
        school = schools[i % academies]
        staff.append(User(email=f"staff{i}@bench.example", full_name=f"Staff {i}",
                          academy=school, line_manager=random.choice(by_school[school.pk]),
                          password=password))
    User.objects.bulk_create(staff, batch_size=2000)
    return {"ceo": ceo, "hr": leaders[1], "principals": principals, "managers": managers,
            "staff": list(User.objects.filter(email__startswith="staff")
                          .select_related("line_manager"))}


def realistic_reminders(trust, seed: int = 7):
    """What a trust of this size has outstanding on an ordinary weekday."""
    from notifications.reminders import Reminder

    rng = random.Random(seed)
    principal_of = {p.academy_id: p for p in trust["principals"]}
    reminders = []
    link = "/acknowledgements/link/bench-signed-token/"
    for person in trust["staff"] + trust["managers"]:
        roll = rng.random()
        if roll < 0.10:  # joined or newly asked in the last fortnight
            reminders.append(Reminder(person, "ack.assigned", "Please acknowledge the policy",
                                      person, "assigned", url=link, reason="asked"))
        elif roll < 0.15:
            reminders.append(Reminder(person, "ack.due_soon", "Due in 2 days", person,
                                      "due-soon", url=link, reason="due in 2 days"))
        elif roll < 0.23:
            days = rng.randint(1, 30)
            reminders.append(Reminder(person, "ack.overdue", "Overdue", person,
                                      f"overdue-{(days - 1) // 7}", url=link, urgent=True,
                                      reason=f"{days} days overdue"))
            if days >= 7 and person.line_manager_id:
                reminders.append(Reminder(person.line_manager, "ack.escalated_manager",
                                          f"{person.full_name} has not acknowledged", person,
                                          "escalated-manager", urgent=True,
                                          reason="line manager"))
            if days >= 14:
                reminders.append(Reminder(principal_of[person.academy_id],
                                          "ack.escalated_principal",
                                          f"{person.full_name} is {days} days overdue", person,
                                          "escalated-principal", urgent=True,
                                          reason="Principal"))
    for recipient in (trust["hr"], trust["ceo"]):
        reminders.append(Reminder(recipient, "policy.review_due", "Review due in 30 days",
                                  recipient, "review-30", reason="clause 11.1"))
    for n in range(60):  # open breach cases with a step due
        handler = rng.choice(trust["principals"])
        reminders.append(Reminder(handler, "breach.step_due", f"Case {n}: investigation due",
                                  trust["staff"][n], f"step-{n}", reason="case handler"))
    for n in range(150):  # requests waiting for a decision, exceptions about to end
        decider = rng.choice(trust["managers"])
        reminders.append(Reminder(decider, "approval.decision_due", f"Request {n} waits",
                                  trust["staff"][1000 + n], "decision", reason="decider"))
    return reminders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--academies", type=int, default=20)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    args = parser.parse_args()
    prepare_environment(args.database)

    import datetime

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from core.models import OutboxMessage
    from notifications import reminders
    from notifications.sweep import run_sweep

    started = time.monotonic()
    trust = build_trust(args.people, args.academies)
    due = realistic_reminders(trust)
    print(f"Built {args.people:,} people in {args.academies} academies "
          f"({len(due):,} reminders due today) in {time.monotonic() - started:.1f} s")
    reminders.collect_all = lambda today: iter(due)
    today = datetime.date(2026, 11, 26)
    for label in ("First sweep", "Second sweep"):
        before = OutboxMessage.objects.count()
        result = run_sweep(today=today)
        mails = OutboxMessage.objects.count() - before
        print(f"{label}: {result.seconds:.1f} s, {mails:,} emails "
              f"({result.created:,} new notifications, {result.already_sent:,} already sent)")


if __name__ == "__main__":
    main()
