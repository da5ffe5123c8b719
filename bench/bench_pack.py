"""Benchmark: the policy audit pack for 10,000 people.

Creates its own database (default PostgreSQL `portal_bench_pack`, dropped and re-created unless
--keep), fills it with N people across academies, a published Social Media Policy (the real
93-clause text), assignments and hash-chained acknowledgements for most of them, then builds
the pack exactly as the Celery task does and prints time, pages and peak memory.

    .venv/bin/python bench/bench_pack.py                      # 10,000 people, PostgreSQL
    .venv/bin/python bench/bench_pack.py --people 2000 --keep
    DATABASE_URL=sqlite:////tmp/bench_pack.sqlite3 .venv/bin/python bench/bench_pack.py

Targets (issue 8): under 60 s and under 1.5 GB peak memory. Exit status 1 if missed.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/portal_bench_pack"
TARGET_SECONDS = 60
TARGET_BYTES = 1.5 * 1024**3


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--academies", type=int, default=24)
    parser.add_argument("--acknowledged", type=float, default=0.8,
                        help="share of people who have acknowledged (default 0.8)")
    parser.add_argument("--keep", action="store_true",
                        help="reuse the database if it already holds the data")
    parser.add_argument("--out", default="", help="also copy the PDF here")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also report Python heap peak (slows the run down)")
    return parser.parse_args()


def prepare_database(url: str, keep: bool) -> None:
    if not url.startswith("postgres"):
        if not keep and url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    import psycopg2
    from psycopg2 import sql
    from psycopg2.extensions import parse_dsn

    params = parse_dsn(url.replace("postgres://", "postgresql://", 1))
    name = params.pop("dbname")
    params["dbname"] = "postgres"
    connection = psycopg2.connect(**params)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists and not keep:
            cursor.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = False
        if not exists:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def seed(people: int, academies: int, acknowledged: float) -> "object":
    import datetime
    import random

    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Academy, Category, Role, User
    from acknowledgements.models import GENESIS_HASH, Acknowledgement, Assignment, ChainHead
    from acknowledgements.services import assignments_on_publish, statement_for
    from policies.models import Clause, Policy, PolicyVersion
    from policies.parsing import parse_policy_text

    existing = PolicyVersion.objects.filter(policy__slug="social-media", label="2023-09").first()
    if existing is not None and User.objects.count() >= people:
        print(f"Reusing {User.objects.count():,} people already in the database")
        return existing

    rng = random.Random(8)
    started = time.perf_counter()
    with transaction.atomic():
        central = Academy.objects.create(name="Central Trust Team", code="central",
                                         is_central=True)
        units = [central] + [
            Academy.objects.create(name=f"Bench Academy {n:02d}", code=f"bench{n:02d}")
            for n in range(1, academies + 1)
        ]
        hr = User.objects.create_user("hr@bench.example", None, full_name="Bench HR",
                                      role=Role.HR, academy=central)
        categories = [c for c, _ in Category.choices]
        weights = [80, 2, 3, 4, 4, 6, 1]
        first = ["Aisha", "Ben", "Chloe", "Daniel", "Emma", "Fiona", "Grace", "Harry", "Isla",
                 "Jack", "Kate", "Liam", "Mia", "Noah", "Olivia", "Priya", "Ravi", "Sophie"]
        last = ["Ali", "Baker", "Carter", "Evans", "Hughes", "Khan", "Lee", "Martin", "Owen",
                "Patel", "Shah", "Smith", "Taylor", "Walsh", "Wilson", "Wright"]
        rows = [
            User(email=f"person{n:05d}@bench.example",
                 full_name=f"{rng.choice(first)} {rng.choice(last)} {n:05d}",
                 academy=units[n % len(units)],
                 category=rng.choices(categories, weights)[0], password="!")
            for n in range(1, people)
        ]
        User.objects.bulk_create(rows, batch_size=2000)

        text = (ROOT / "policies" / "seed" / "social-media-policy-2023.txt").read_text()
        parsed = parse_policy_text(text)
        policy = Policy.objects.create(title="Social Media Policy", slug="social-media",
                                       next_review_due=datetime.date(2025, 9, 1),
                                       last_reviewed_on=datetime.date(2023, 9, 1))
        version = PolicyVersion.objects.create(policy=policy, label="2023-09", source_text=text,
                                               cover={k: str(v) if v else "" for k, v in
                                                      parsed.metadata.items()})
        Clause.objects.bulk_create([
            Clause(version=version, number=c.number, anchor=c.anchor, heading=c.heading,
                   text=c.text, level=c.level, order=c.order) for c in parsed.clauses
        ])
        version.content_hash = version.compute_content_hash()
        version.save()
        PolicyVersion.objects.filter(pk=version.pk).update(
            status=PolicyVersion.Status.PUBLISHED, change_kind="material",
            published_at=timezone.now() - datetime.timedelta(days=30))
        version.refresh_from_db()
        assignments_on_publish(version=version, previous=None,
                               today=timezone.localdate() - datetime.timedelta(days=30))

        # Hash-chained records, built as acknowledgement_record() builds them, in bulk.
        statement = statement_for(version, version.content_hash)
        chosen = [a for a in Assignment.objects.filter(version=version).select_related("person")
                  if rng.random() < acknowledged]
        previous, records = GENESIS_HASH, []
        base = timezone.now() - datetime.timedelta(days=20)
        for sequence, assignment in enumerate(chosen, start=1):
            person = assignment.person
            record = Acknowledgement(
                sequence=sequence, person=person, person_name=person.full_name,
                person_email=person.email, version=version, content_hash=version.content_hash,
                statement=statement, acknowledged_at=(base + datetime.timedelta(
                    minutes=sequence)).replace(microsecond=0),
                method=rng.choice(["portal", "portal", "portal", "email_link"]),
                previous_hash=previous,
            )
            record.record_hash = record.compute_hash()
            previous = record.record_hash
            records.append(record)
        Acknowledgement.objects.bulk_create(records, batch_size=2000)
        ChainHead.objects.update_or_create(pk=1, defaults={"sequence": len(records),
                                                           "record_hash": previous})
        by_person = {r.person_id: r for r in Acknowledgement.objects.filter(version=version)}
        for assignment in chosen:
            record = by_person[assignment.person_id]
            assignment.acknowledgement = record
            assignment.acknowledged_at = record.acknowledged_at
        Assignment.objects.bulk_update(chosen, ["acknowledgement", "acknowledged_at"],
                                       batch_size=2000)
    print(f"Seeded {people:,} people, {len(records):,} acknowledgements "
          f"in {time.perf_counter() - started:.1f} s (hr: {hr.email})")
    return version


def main() -> int:
    args = parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    os.environ.setdefault("PORTAL_VAR_DIR", str(ROOT / "var" / "bench_pack"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    prepare_database(os.environ["DATABASE_URL"], args.keep)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    version = seed(args.people, args.academies, args.acknowledged)

    from accounts.models import User
    from auditpacks import services

    actor = User.objects.filter(role="hr").order_by("pk").first()
    pack = services.pack_request_policy(actor=actor, version=version, queue=False)

    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start()
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    rss_before = usage_before.ru_maxrss * 1024
    started = time.perf_counter()
    pack = services.pack_build(pack_id=pack.pk)
    elapsed = time.perf_counter() - started
    usage_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (usage_after.ru_utime - usage_before.ru_utime
           + usage_after.ru_stime - usage_before.ru_stime)
    load = os.getloadavg()[0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    heap = None
    if args.tracemalloc:
        heap = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    if pack is None or pack.status != "ready":
        print(f"FAILED: {pack.error if pack else 'not built'}")
        return 1
    if args.out:
        Path(args.out).write_bytes(pack.file_path.read_bytes())
    people = version.ack_assignments.count()
    print(f"People in the roster: {people:,}")
    print(f"Time:  {elapsed:.1f} s wall, {cpu:.1f} s CPU (target < {TARGET_SECONDS} s; "
          f"load average {load:.1f} on {os.cpu_count()} cores)")
    print(f"Pages: {pack.page_count:,} ({pack.file_size / 1024**2:.1f} MB PDF)")
    print(f"Peak memory (RSS, whole process): {peak / 1024**2:,.0f} MB "
          f"(before the build {rss_before / 1024**2:,.0f} MB; target < 1,536 MB)")
    if heap is not None:
        print(f"Peak Python heap (tracemalloc): {heap / 1024**2:,.0f} MB")
    ok = elapsed < TARGET_SECONDS and peak < TARGET_BYTES
    print("PASS" if ok else "MISSED TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
