#!/usr/bin/env python
"""Load benchmark: the portal's busiest pages against the floor view, under one gunicorn.

    .venv/bin/python bench/load.py                 # migrate, seed, serve, measure, stop
    .venv/bin/python bench/load.py --fresh         # drop and rebuild the benchmark database
    .venv/bin/python bench/load.py --requests 200 --concurrency 20 --ack-users 100

What it does (see docs/load.md for the figures and how to read them):
1. creates (or reuses) the PostgreSQL database `portal_load`, migrates it, runs
   `manage.py seed_demo` (every app's demo data, including the seed policy and its
   acknowledgement requests) and bench/_seed.py (10,000 people in 20 academies);
2. starts gunicorn on 127.0.0.1 with production settings (DEBUG off, a SECRET_KEY, the
   manifest static files, BENCHMARK_FLOOR_VIEW=1, no HTTPS redirect on loopback);
3. signs people in through the real forms (staff: email and password; the Principal also
   answers the authenticator step with the demo TOTP), each from its own 127.0.x.y address;
4. times each page in a closed loop (`--concurrency` requests in flight, at most `--requests`
   requests and `--max-seconds` per page), the floor view first, and prints requests/s,
   p50, p95, errors and each page's throughput as a share of the floor view's, measured
   in `--rounds` slices, each between two slices of the floor view (the machine's speed
   drifts during a run; the share compares both over the same stretch of time);
5. with wrk installed (apt-get install -y wrk), times the same pages and every page a staff
   member or a Principal opens from the navigation (policies list, notifications, reports,
   approvals…) with wrk, a C client, using one signed-in staff member's and the Principal's
   session cookies and X-Forwarded-Proto: https (the pretend TLS proxy), each page between two
   runs of the floor view, and prints that second table (target: no page under 30%);
6. stops gunicorn. Every loop is bounded; nothing leaves the loopback interface.
Exit status 0 when every target is met, 1 otherwise. The targets: no GET page under 30% of the
floor view with wrk (with the Python client, 50%, only when wrk is not run: that client's own CPU
pulls every share toward 100%), the acknowledge POST's p95 under 100 ms with 20 people at human
pace, and no errors.
"""

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _wrk  # noqa: E402
from _client import Result, measure, measure_users, sign_in_many, table  # noqa: E402
from _server import ROOT, Portal, database_create, manage, portal_env, run_script  # noqa: E402

DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # accounts/demo.py: demo people only
TARGET_SHARE_OF_FLOOR = 0.5
TARGET_ACK_P95_MS = 100.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url",
                        default="postgres://postgres@127.0.0.1:5432/portal_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13",
                        help="cache and Celery broker, as in production; this Redis database "
                             "is emptied first ('' for the embedded file cache and broker)")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the database")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--academies", type=int, default=20)
    parser.add_argument("--ack-users", type=int, default=420,
                        help="distinct staff who each acknowledge once (the POST samples)")
    parser.add_argument("--ack-one-at-a-time", type=int, default=20,
                        help="of those, how many acknowledge one at a time (service time)")
    parser.add_argument("--ack-at-human-pace", type=int, default=100,
                        help="of those, how many acknowledge as --users people at once, each "
                             "pausing --think seconds on the form before sending it")
    parser.add_argument("--users", type=int, default=20,
                        help="people acknowledging at the same time (human pace)")
    parser.add_argument("--think", default="1,5",
                        help="seconds a person spends on the form: min,max (uniform)")
    parser.add_argument("--read-users", type=int, default=20,
                        help="further staff who only read (home, reading page, floor)")
    parser.add_argument("--requests", type=int, default=300, help="per page, at most")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--max-seconds", type=float, default=60, help="per page, at most")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker (more than 1: gunicorn's gthread workers)")
    parser.add_argument("--port", type=int, default=0, help="0: any free loopback port")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page")
    parser.add_argument("--rounds", type=int, default=3,
                        help="slices each page is measured in, each between two slices of the "
                             "floor view (its share is taken against those)")
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="skip the per-page SQL query count and in-process timing")
    parser.add_argument("--no-wrk", dest="wrk", action="store_false",
                        help="skip the second table, timed with wrk (apt-get install -y wrk)")
    parser.add_argument("--wrk-seconds", type=int, default=8, help="per wrk run")
    parser.add_argument("--wrk-connections", type=int, default=8)
    return parser.parse_args()


def ok_page(response) -> bool:
    return response.status_code == 200


def ok_acknowledged(response) -> bool:
    return response.status_code == 302 and "/receipt/" in response.headers.get("location", "")


ONE_AT_A_TIME = "1 in flight: "
HUMAN_PACE = "people at once, human pace: "
#: Measured to show where the time goes, not a page of the portal: no target applies.
REFERENCE = "(reference) "


def pages(plan: dict, staff: list, principal, ack_clients: list,
          serial_acks: int = 0, human_acks: int = 0) -> list[tuple]:
    """(name, request(i), check, total or None) in the order they are measured."""
    def by_staff(path_of):
        return lambda i: staff[i % len(staff)].get(path_of(i))

    readers = plan["read"] + plan["ack"]
    chosen = [
        ("floor view", by_staff(lambda i: "/_bench/floor/"), ok_page, None),
        (REFERENCE + "empty page with navigation", by_staff(lambda i: "/_bench/floor/?shell"),
         ok_page, None),
        ("staff home /", by_staff(lambda i: "/"), ok_page, None),
        ("my policies /acknowledgements/", by_staff(lambda i: "/acknowledgements/"), ok_page,
         None),
    ]
    if readers and all(r["assignment"] for r in readers):
        chosen.append((
            "policy reading page (section 1)",
            lambda i: staff[i % len(staff)].get(
                f"/acknowledgements/a/{readers[i % len(staff)]['assignment']}/read/1/"),
            ok_page, None,
        ))
    if plan.get("policy_page"):
        chosen.append(("policy page (whole text)", by_staff(lambda i: plan["policy_page"]),
                       ok_page, None))
    chosen += [
        ("Principal home /", lambda i: principal.get("/"), ok_page, None),
        ("Principal dashboard (academy)",
         lambda i: principal.get(f"/acknowledgements/compliance/academy/{plan['academy']}/"),
         ok_page, None),
        ("Principal people list", lambda i: principal.get("/people/"), ok_page, None),
    ]
    if ack_clients:
        def acknowledger(offset: int):
            def acknowledge(i: int):
                person, client = plan["ack"][offset + i], ack_clients[offset + i]
                return client.post(
                    f"/acknowledgements/a/{person['assignment']}/acknowledge/",
                    data={"agree": "yes", **person["answers"],
                          "csrfmiddlewaretoken": client.cookies["csrftoken"]},
                )
            return acknowledge

        serial = min(serial_acks, len(ack_clients) // 3)
        human = min(human_acks, (len(ack_clients) - serial) // 2)
        closed = len(ack_clients) - serial - human
        chosen.append(("acknowledge POST", acknowledger(serial + human), ok_acknowledged,
                       closed))
        if human:
            def open_form(i: int):
                person, client = plan["ack"][serial + i], ack_clients[serial + i]
                return client.get(f"/acknowledgements/a/{person['assignment']}/acknowledge/")

            chosen.append((HUMAN_PACE + "acknowledge POST", (open_form, acknowledger(serial)),
                           ok_acknowledged, human))
        if serial:
            chosen.append((ONE_AT_A_TIME + "acknowledge POST", acknowledger(0),
                           ok_acknowledged, serial))
    chosen.append((ONE_AT_A_TIME + "floor view", by_staff(lambda i: "/_bench/floor/"), ok_page,
                   None))
    return chosen


def wrk_pages(plan: dict) -> list[tuple[str, str, str]]:
    """(name, path, who) for the wrk table: the pages above, and every page a staff member
    or a Principal opens from the navigation (the first is the floor view)."""
    readers = plan["read"] + plan["ack"]
    staff = [
        ("floor view", "/_bench/floor/"),
        ("staff home /", "/"),
        ("my policies /acknowledgements/", "/acknowledgements/"),
    ]
    if readers and readers[0]["assignment"]:
        staff.append(("policy reading page (section 1)",
                      f"/acknowledgements/a/{readers[0]['assignment']}/read/1/"))
    if plan.get("policy_page"):
        staff.append(("policy page (whole text)", plan["policy_page"]))
    staff += [
        ("policies list /policies/", "/policies/"),
        ("notifications /notifications/", "/notifications/"),
        ("notification settings", "/notifications/preferences/"),
        ("report misuse /reports/", "/reports/"),
        ("approvals /approvals/", "/approvals/"),
    ]
    principal = [
        ("Principal home /", "/"),
        ("Principal dashboard (academy)",
         f"/acknowledgements/compliance/academy/{plan['academy']}/"),
        ("Principal people list", "/people/"),
        ("Principal policies list", "/policies/"),
        ("Principal notifications", "/notifications/"),
        ("Principal reports /reports/", "/reports/"),
        ("Principal approvals", "/approvals/"),
    ]
    return ([(name, path, "staff") for name, path in staff]
            + [(name, path, "principal") for name, path in principal])


async def wrk_sessions(plan: dict, staff_client, principal) -> list[tuple[str, str, str]]:
    """The wrk pages with the session cookie of who opens them, each checked to answer 200
    for that person first (wrk counts a redirect to the sign-in page as a success)."""
    clients = {"staff": staff_client, "principal": principal}
    chosen = []
    for name, path, who in wrk_pages(plan):
        client = clients[who]
        response = await client.get(path)
        if response.status_code != 200:
            print(f"  wrk: {name} answers {response.status_code} for the {who}; left out")
            continue
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        chosen.append((name, path, cookie))
    return chosen


async def run(url: str, plan: dict, args) -> list[Result]:
    started = time.monotonic()
    readers = [p["email"] for p in plan["read"]]
    ackers = [p["email"] for p in plan["ack"]]
    print(f"signing in {len(readers) + len(ackers)} staff and 1 Principal (with MFA) through "
          "the forms…", flush=True)
    sign_in_concurrency = max(2, args.workers)
    read_clients = await sign_in_many(url, readers, plan["password"],
                                      concurrency=sign_in_concurrency)
    ack_clients = await sign_in_many(url, ackers, plan["password"],
                                     concurrency=sign_in_concurrency, first_index=len(readers))
    (principal,) = await sign_in_many(url, [plan["principal"]], plan["password"], concurrency=1,
                                      first_index=len(readers) + len(ackers),
                                      totp_secret=DEMO_TOTP_SECRET)
    staff = read_clients + ack_clients
    print(f"  signed in in {time.monotonic() - started:.0f}s", flush=True)
    results = []
    chosen = pages(plan, staff, principal, ack_clients, args.ack_one_at_a_time,
                   args.ack_at_human_pace)
    floor_request = chosen[0][1]

    async def paired(name, request, check, total) -> Result:
        """The page in `args.rounds` slices, each between two slices of the floor view: the
        share compares the two over the same stretch of time (the machine's speed drifts by a
        third within minutes), and each slice's requests are numbered on from the last."""
        rounds = max(1, min(args.rounds, total))
        floor = await measure("floor view", floor_request, ok_page,
                              total=max(1, args.requests // rounds),
                              concurrency=args.concurrency, max_seconds=args.max_seconds)
        result, done = Result(name), 0
        for n in range(rounds):
            size = total // rounds + (1 if n < total % rounds else 0)
            await measure(name, request, check, total=size, concurrency=args.concurrency,
                          max_seconds=args.max_seconds / rounds, first=done, into=result)
            done += size
            await measure("floor view", floor_request, ok_page,
                          total=max(1, args.requests // rounds), concurrency=args.concurrency,
                          max_seconds=args.max_seconds, into=floor)
        result.floor_rps = floor.rps
        return result

    try:
        for name, request, check, total in chosen:
            if name.startswith(HUMAN_PACE):
                prepare, submit = request
                name = f"{args.users} {name}"
                result = await measure_users(
                    name, prepare, submit, check, total=total, users=args.users,
                    think=think_range(args.think), max_seconds=max(args.max_seconds, 120))
                results.append(result)
                print(f"  {name}: {len(result.latencies)} sent, p95 "
                      f"{result.percentile(95):.0f} ms, {result.errors} errors "
                      f"{result.first_error}", flush=True)
                continue
            concurrency = 1 if name.startswith(ONE_AT_A_TIME) else args.concurrency
            if total is None and args.warmup:
                await measure(name, request, check, total=args.warmup,
                              concurrency=concurrency, max_seconds=args.max_seconds)
            if total is None and concurrency == 1:
                total = 50
            is_paired = concurrency != 1 and bool(results)  # every page but the floor itself
            if is_paired:
                result = await paired(name, request, check, total or args.requests)
            else:
                result = await measure(name, request, check, total=total or args.requests,
                                       concurrency=concurrency, max_seconds=args.max_seconds)
            result.comparable = concurrency != 1
            results.append(result)
            share = result.share_of(results[0])
            print(f"  {name}: {result.rps:.1f} req/s, p95 {result.percentile(95):.0f} ms, "
                  f"{result.errors} errors {result.first_error}"
                  + (f"; floor around it {result.floor_rps:.1f} req/s, {share:.0%}"
                     if is_paired and share is not None else ""), flush=True)
        if args.wrk:
            plan["wrk"] = await wrk_sessions(plan, staff[0], principal)
    finally:
        for client in [*staff, principal]:
            await client.aclose()
    return results


def redis_flush(url: str) -> None:
    """The benchmark's own Redis database starts empty (no sign-in counts from a last run)."""
    import redis

    redis.Redis.from_url(url).flushdb()


def think_range(text: str) -> tuple[float, float]:
    low, high = (float(x) for x in text.split(","))
    return low, high


def verdict(results: list[Result], *, shares: bool = True) -> list[str]:
    """Targets: the acknowledge POST p95 < 100 ms with 20 people acknowledging at once at
    human pace; no errors anywhere; and, with `shares` (when wrk did not run), every page
    >= 50% of the floor view's throughput with this client. When wrk ran, its table holds
    the throughput target (no GET page under 30%, issue 18): this client spends about as much
    CPU per request as the server on two cores, so its shares are shown but not judged."""
    floor = results[0]
    misses = []
    for r in results:
        if HUMAN_PACE in r.name:
            if r.errors:
                misses.append(f"{r.name}: {r.errors} errors (first: {r.first_error})")
            if not r.percentile(95) < TARGET_ACK_P95_MS:
                misses.append(f"{r.name}: p95 {r.percentile(95):.0f} ms "
                              f"(target < {TARGET_ACK_P95_MS:.0f} ms)")
            continue
        if r.name.startswith((ONE_AT_A_TIME, REFERENCE)):
            if r.errors:
                misses.append(f"{r.name}: {r.errors} errors (first: {r.first_error})")
            continue
        if r.errors:
            misses.append(f"{r.name}: {r.errors} errors (first: {r.first_error})")
        share = r.share_of(floor)
        if shares and r is not floor and share is not None and share < TARGET_SHARE_OF_FLOOR:
            misses.append(f"{r.name}: {share:.0%} of the floor view's throughput "
                          f"(target {TARGET_SHARE_OF_FLOOR:.0%})")
    return misses


def print_profile(env: dict, plan: dict, args) -> None:
    """SQL queries and in-process time per request for each page (bench/_profile.py)."""
    readers = plan["read"] + plan["ack"]
    extra = ["--assignment", str(readers[0]["assignment"]), "--staff", readers[0]["email"]] \
        if readers and readers[0]["assignment"] else []
    report = json.loads(run_script(
        {**env, "ALLOWED_HOSTS": "testserver,127.0.0.1"}, ROOT / "bench" / "_profile.py",
        "--principal", plan["principal"], "--academy", plan["academy"],
        "--policy-page", plan.get("policy_page", ""), *extra,
    ).strip().splitlines()[-1])
    floor_ms = report["floor view"]["ms"]
    print()
    print("In-process profile (Django test client, one request at a time, same database):")
    print(f"{'page':40} {'queries':>7} {'SQL ms':>7} {'ms/req':>7} {'floor/page':>10}  "
          "most repeated query (count)")
    for name, row in report.items():
        repeated = "; ".join(f"{n}x {sql[:70]}" for n, sql in row["repeated"][:1]) or "-"
        share = f"{floor_ms / row['ms']:9.0%}" if row["ms"] else "        -"
        sql_ms = f"{row['sql_ms']:7.1f}" if row["sql_ms"] is not None else "      -"
        print(f"{name:40} {row['queries']:7d} {sql_ms} {row['ms']:7.1f} {share:>10}  {repeated}")


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("bench")))
    signal.alarm(3600)  # the whole run, seeding included, stops by itself
    var_dir = ROOT / "var" / "bench"
    env = portal_env(args.database_url, var_dir,
                     **({"REDIS_URL": args.redis_url} if args.redis_url else {}))
    if args.redis_url:
        redis_flush(args.redis_url)
    if args.wrk and not _wrk.available():
        print("wrk is not installed (apt-get install -y wrk): its table is skipped")
        args.wrk = False
    t0 = time.monotonic()
    print(f"load average before the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    created = database_create(args.database_url, fresh=args.fresh)
    print(f"database {'created' if created else 'reused'}; migrating…", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    print("seeding the demo organisation (manage.py seed_demo)…", flush=True)
    manage(env, "seed_demo")
    print(f"seeding {args.people} people in {args.academies} academies…", flush=True)
    plan = json.loads(run_script(
        env, ROOT / "bench" / "_seed.py", "--people", str(args.people),
        "--academies", str(args.academies), "--ack-users", str(args.ack_users),
        "--read-users", str(args.read_users),
    ).strip().splitlines()[-1])
    print(f"  {plan['people']} people; {len(plan['ack'])} will acknowledge; ready in "
          f"{time.monotonic() - t0:.0f}s", flush=True)
    if not plan["read"] and not plan["ack"]:
        print("  no outstanding acknowledgement requests: reading and acknowledge pages skipped "
              "(is a policy version published by seed_demo?)")
        plan["read"] = [{"email": f"staff.a01.{n:04d}@bench.example", "assignment": None}
                        for n in range(1, args.read_users + 1)]
    with Portal(env, port=args.port, workers=args.workers, threads=args.threads) as portal:
        kind = f"x {args.threads} threads" if args.threads > 1 else "sync"
        print(f"gunicorn: {args.workers} {kind} workers on {portal.url}; {args.concurrency} "
              f"requests in flight; at most {args.requests} requests or {args.max_seconds:.0f}s "
              "per page", flush=True)
        results = asyncio.run(run(portal.url, plan, args))
        wrk_results = []
        if args.wrk and plan.get("wrk"):
            print(f"wrk: {args.wrk_connections} connections, {args.wrk_seconds}s per run, "
                  "each page between two runs of the floor view", flush=True)
            wrk_results = _wrk.measure_pages(portal.url, plan["wrk"],
                                             seconds=args.wrk_seconds,
                                             connections=args.wrk_connections)
    print()
    print(f"load average after the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"(2 cores; other work on the machine shares them)")
    print("Python client (httpx):")
    print(table(results, results[0]))
    if wrk_results:
        print()
        print("wrk (C client; one signed-in staff member and the Principal):")
        print(_wrk.table(wrk_results))
    if args.profile:
        print_profile(env, plan, args)
    misses = verdict(results, shares=not wrk_results) + _wrk.misses(wrk_results)
    print()
    if misses:
        print("Targets missed:\n  " + "\n  ".join(misses))
    elif wrk_results:
        print(f"All targets met: every GET page >= {_wrk.TARGET_SHARE_OF_FLOOR:.0%} of the "
              f"floor view with wrk, acknowledge p95 < {TARGET_ACK_P95_MS:.0f} ms at human "
              "pace, no errors (the Python client's shares above are for reference).")
    else:
        print(f"All targets met: every page >= {TARGET_SHARE_OF_FLOOR:.0%} of the floor view "
              f"(Python client; wrk not run), acknowledge p95 < {TARGET_ACK_P95_MS:.0f} ms, "
              "no errors.")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
