"""Where the time of each benchmarked page goes: SQL queries and in-process time per request.

Run by `bench/load.py --profile` (or alone, in the benchmark's environment) against the same
database. It does not need gunicorn: Django's test client calls the views in-process, one
request at a time, so the figures do not depend on how busy the machine is with other work as
much as the throughput figures do.

    python bench/_profile.py --principal principal.a01@bench.example --academy bench-01
"""

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from accounts.models import User  # noqa: E402

NUMBERS = re.compile(r"\b\d+\b|'[^']*'")


def shape(sql: str) -> str:
    return NUMBERS.sub("?", sql)[:160]


def profile(client: Client, method: str, path: str, repeat: int, data=None) -> dict:
    timings, statuses = [], Counter()
    with CaptureQueriesContext(connection) as first:
        response = getattr(client, method)(path, data or {})
    # Read them now: every request_started signal clears the connection's query log.
    captured = list(first.captured_queries)
    statuses[response.status_code] += 1
    for _ in range(repeat):
        started = time.perf_counter()
        response = getattr(client, method)(path, data or {})
        timings.append(time.perf_counter() - started)
        statuses[response.status_code] += 1
    shapes = Counter(shape(q["sql"]) for q in captured)
    sql_ms = sum(float(q["time"]) for q in captured) * 1000
    return {
        "path": path, "status": dict(statuses), "queries": len(captured),
        "sql_ms": round(sql_ms, 1),
        "ms": round(statistics.median(timings) * 1000, 1) if timings else None,
        "repeated": [(n, s) for s, n in shapes.most_common(3) if n > 1],
    }


def acknowledge_profile(count: int) -> dict | None:
    try:
        from acknowledgements.models import Assignment, SectionView
        from acknowledgements.sections import sections_of
    except ImportError:
        return None
    pending = list(Assignment.objects.live().outstanding()
                   .filter(person__email__startswith="staff.",
                           person__email__endswith="@bench.example")
                   .select_related("person", "version").order_by("-person__email")[:count])
    results = []
    for assignment in pending:
        version = assignment.version
        SectionView.objects.bulk_create(
            [SectionView(person=assignment.person, version=version, section=s.key)
             for s in sections_of(version, assignment.person.academy)],
            ignore_conflicts=True)
        answers = {f"q{q.pk}": str(q.correct_choice) for q in version.ack_questions.all()}
        client = Client()
        client.force_login(assignment.person)
        client.get("/_bench/floor/")  # the session is loaded once before, as in a browser
        path = f"/acknowledgements/a/{assignment.pk}/acknowledge/"
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.post(path, {"agree": "yes", **answers})
            elapsed = time.perf_counter() - started
        results.append((elapsed, len(queries.captured_queries), response.status_code,
                        Counter(shape(q["sql"]) for q in queries.captured_queries)))
    if not results:
        return None
    shapes = results[0][3]
    return {
        "path": "/acknowledgements/a/<pk>/acknowledge/ (POST)",
        "status": dict(Counter(r[2] for r in results)),
        "queries": results[0][1], "sql_ms": None,
        "ms": round(statistics.median(r[0] for r in results) * 1000, 1),
        "repeated": [(n, s) for s, n in shapes.most_common(3) if n > 1],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--principal", required=True)
    parser.add_argument("--academy", required=True)
    parser.add_argument("--staff", default="")
    parser.add_argument("--assignment", type=int, default=0)
    parser.add_argument("--policy-page", default="")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--acknowledge", type=int, default=5)
    args = parser.parse_args()
    setup_test_environment()
    staff = User.objects.get(email=args.staff) if args.staff else (
        User.objects.filter(email__startswith="staff.", email__endswith="@bench.example")
        .order_by("email").first())
    principal = User.objects.get(email=args.principal)
    as_staff, as_principal = Client(), Client()
    as_staff.force_login(staff)
    as_principal.force_login(principal)
    pages = [
        ("floor view", as_staff, "/_bench/floor/"),
        ("(reference) empty page with navigation", as_staff, "/_bench/floor/?shell"),
        ("staff home /", as_staff, "/"),
        ("my policies /acknowledgements/", as_staff, "/acknowledgements/"),
    ]
    if args.assignment:
        pages.append(("policy reading page (section 1)", as_staff,
                      f"/acknowledgements/a/{args.assignment}/read/1/"))
    if args.policy_page:
        pages.append(("policy page (whole text)", as_staff, args.policy_page))
    pages += [
        ("Principal home /", as_principal, "/"),
        ("Principal dashboard (academy)", as_principal,
         f"/acknowledgements/compliance/academy/{args.academy}/"),
        ("Principal people list", as_principal, "/people/"),
    ]
    report = {name: profile(client, "get", path, args.repeat) for name, client, path in pages}
    acknowledged = acknowledge_profile(args.acknowledge)
    if acknowledged:
        report["acknowledge POST"] = acknowledged
    print(json.dumps(report))


if __name__ == "__main__":
    main()
