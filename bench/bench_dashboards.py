"""Benchmark the compliance dashboards: 10,000 people, 20 academies, 3 policy versions.

Creates its own data in its own database (never the development one) and prints, for the
trust dashboard, an academy dashboard, the team view and the CSV export, the median response
time and the number of SQL queries per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_dashboards \\
        .venv/bin/python bench/bench_dashboards.py [--people 10000] [--runs 15]

The database name must contain "bench". It is created if missing and seeded once (about
a minute); later runs reuse it. `--reset` drops and re-creates it.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_dashboards"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare_database(url: str, reset: bool) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if parsed.scheme not in ("postgres", "postgresql") or "bench" not in name:
        sys.exit(f"Refusing to run against {name!r}: use a PostgreSQL database whose name "
                 f"contains 'bench', e.g. {DEFAULT_URL}")
    import psycopg2

    admin = psycopg2.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432,
                             user=parsed.username or "postgres",
                             password=parsed.password or None, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists and reset:
            cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            log(f"Creating database {name}")
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def seed(people_count: int, academy_count: int = 20) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Academy, Category, Role, User
    from acknowledgements.models import GENESIS_HASH, Acknowledgement, Assignment, ChainHead
    from acknowledgements.services import assignments_on_publish, statement_for
    from policies.models import Clause, Policy, PolicyVersion
    from policies.parsing import parse_policy_text

    if Policy.objects.filter(slug="bench-social-media").exists():
        log("Benchmark data already present")
        return
    started = time.perf_counter()
    log(f"Seeding {people_count} people in {academy_count} academies…")
    categories = ([Category.EMPLOYEE] * 14 + [Category.VOLUNTEER, Category.AGENCY,
                                              Category.CASUAL, Category.CONTRACTOR,
                                              Category.CONSULTANT, Category.THIRD_PARTY])
    with transaction.atomic():
        central = Academy.objects.create(name="Bench Central Team", code="bench-central",
                                         is_central=True)
        academies = [Academy.objects.create(name=f"Bench Academy {n:02d}", code=f"bench-{n:02d}")
                     for n in range(1, academy_count + 1)]
        User.objects.create_user("hr@bench.example", "bench-password-2026",
                                 full_name="Bench HR", role=Role.HR, academy=central)
        principals = [User.objects.create_user(
            f"principal{n:02d}@bench.example", "bench-password-2026",
            full_name=f"Principal {n:02d}", role=Role.PRINCIPAL, academy=a)
            for n, a in enumerate(academies, start=1)]
        per_academy = max(1, (people_count - academy_count - 1) // academy_count)
        managers, rows = [], []
        for a_index, academy in enumerate(academies):
            for m in range(max(1, per_academy // 25)):
                managers.append(User(email=f"m{a_index:02d}-{m}@bench.example",
                                     full_name=f"Manager {a_index:02d}-{m}", academy=academy,
                                     line_manager=principals[a_index], password="!"))
        User.objects.bulk_create(managers, batch_size=2000)
        by_academy: dict[int, list] = {}
        for m in User.objects.filter(email__startswith="m", email__endswith="@bench.example"):
            by_academy.setdefault(m.academy_id, []).append(m)
        remaining = people_count - User.objects.count()
        for n in range(remaining):
            academy = academies[n % academy_count]
            team = by_academy[academy.pk]
            rows.append(User(email=f"p{n:05d}@bench.example", full_name=f"Person {n:05d}",
                             academy=academy, category=categories[n % len(categories)],
                             line_manager=team[n % len(team)], password="!",
                             job_title="Teacher"))
        User.objects.bulk_create(rows, batch_size=2000)
    log(f"  {User.objects.count()} people")

    parsed = parse_policy_text((ROOT / "policies/seed/social-media-policy-2023.txt").read_text())
    policy = Policy.objects.create(title="Social Media Policy", slug="bench-social-media")
    today = timezone.localdate()
    previous = None
    plan = [("2023-09", True, 0.95, 700), ("2024-03", False, 0.0, 450),
            ("2025-09", True, 0.55, 20)]
    head_hash, sequence = GENESIS_HASH, 0
    for label, material, share_done, days_ago in plan:
        with transaction.atomic():
            version = PolicyVersion.objects.create(policy=policy, label=label, previous=previous)
            by_number = {}
            for order, c in enumerate(parsed.clauses, start=1):
                text = c.text + (f" ({label})" if c.number == "1.1" else "")
                by_number[c.number] = Clause.objects.create(
                    version=version, number=c.number, anchor=c.anchor, heading=c.heading,
                    text=text, level=c.level, order=order,
                    parent=by_number.get(c.parent_number))
            version.content_hash = version.compute_content_hash()
            version.save()
            if previous is not None:
                previous.status = PolicyVersion.Status.SUPERSEDED
                previous.save()
            version.status = PolicyVersion.Status.PUBLISHED
            version.change_kind = "material" if material else "minor"
            version.published_at = timezone.now() - datetime.timedelta(days=days_ago)
            version.save()
            assignments_on_publish(version=version, previous=previous, material=material,
                                   today=today - datetime.timedelta(days=days_ago))
            waiting = list(Assignment.objects.filter(version=version, acknowledgement__isnull=True)
                           .select_related("person").order_by("id"))
            chosen = waiting[: int(len(waiting) * share_done)]
            records = []
            when = timezone.now() - datetime.timedelta(days=max(days_ago - 3, 0))
            statement = statement_for(version, version.content_hash)
            for a in chosen:
                sequence += 1
                r = Acknowledgement(
                    sequence=sequence, person=a.person, person_name=a.person.full_name,
                    person_email=a.person.email, version=version,
                    content_hash=version.content_hash, statement=statement,
                    acknowledged_at=when.replace(microsecond=0), ip_address="127.0.0.1",
                    user_agent="bench", method="portal", previous_hash=head_hash)
                r.record_hash = head_hash = r.compute_hash()
                records.append(r)
            Acknowledgement.objects.bulk_create(records, batch_size=2000)
            ChainHead.objects.update_or_create(pk=1, defaults={"sequence": sequence,
                                                               "record_hash": head_hash})
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE acknowledgements_assignment a SET acknowledgement_id = r.id, "
                    "acknowledged_at = r.acknowledged_at FROM acknowledgements_acknowledgement r "
                    "WHERE r.person_id = a.person_id AND r.version_id = a.version_id "
                    "AND a.version_id = %s AND a.acknowledgement_id IS NULL", [version.pk])
            # Some of the rest are overdue.
            Assignment.objects.filter(version=version, acknowledgement__isnull=True,
                                      id__in=[a.id for a in waiting[len(chosen)::3]]
                                      ).update(assigned_on=today - datetime.timedelta(days=30),
                                               due_on=today - datetime.timedelta(days=5))
            log(f"  version {label}: {len(chosen)} acknowledgements")
        previous = version
    log(f"Seeded in {time.perf_counter() - started:.0f} s")


def measure(client, url: str, runs: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up (session, caches)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            size = sum(len(chunk) for chunk in response.streaming_content)
        else:
            size = len(response.content)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            for _chunk in response.streaming_content:
                pass
    return statistics.median(timings) * 1000, max(timings) * 1000, len(captured), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--reset", action="store_true", help="drop and re-create the database")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    prepare_database(url, args.reset)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    assert "bench" in settings.DATABASES["default"]["NAME"]
    call_command("migrate", verbosity=0)
    seed(args.people)

    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import Academy, User
    from acknowledgements.selectors import roster_for_version
    from policies.models import PolicyVersion

    setup_test_environment()
    settings.DEBUG = False
    from accounts.demo import ensure_demo_totp

    hr = User.objects.get(email="hr@bench.example")
    principal = User.objects.get(email="principal01@bench.example")
    for person in (hr, principal):  # their roles must use a second factor
        ensure_demo_totp(person)
    manager = User.objects.filter(email__startswith="m00-").first()
    academy = Academy.objects.get(code="bench-01")
    version = PolicyVersion.objects.get(policy__slug="bench-social-media", status="published")
    people = User.objects.filter(email__endswith="@bench.example").count()
    print(f"{people} people, {Academy.objects.exclude(is_central=True).count()} academies, "
          f"{PolicyVersion.objects.filter(policy__slug='bench-social-media').count()} versions; "
          f"median of {args.runs} requests each")
    print(f"{'page':<34} {'median ms':>10} {'max ms':>9} {'queries':>8} {'bytes':>10}")
    pages = [
        ("trust dashboard", hr, "/acknowledgements/compliance/"),
        ("trust dashboard, overdue, by due", hr,
         "/acknowledgements/compliance/?status=overdue&sort=due"),
        ("academy dashboard", principal, f"/acknowledgements/compliance/academy/{academy.code}/"),
        ("team view (line manager)", manager, "/acknowledgements/compliance/team/"),
        ("trust CSV export (all rows)", hr, "/acknowledgements/compliance/?format=csv"),
    ]
    for label, user, path in pages:
        client = Client()
        client.force_login(user)
        median, worst, queries, size = measure(client, path, args.runs if "CSV" not in label
                                               else max(3, args.runs // 5))
        print(f"{label:<34} {median:>10.1f} {worst:>9.1f} {queries:>8} {size:>10}")
    start = time.perf_counter()
    rows = roster_for_version(version)
    print(f"roster_for_version(): {len(rows)} rows in "
          f"{(time.perf_counter() - start) * 1000:.0f} ms (one query)")


if __name__ == "__main__":
    main()
