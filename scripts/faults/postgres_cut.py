#!/usr/bin/env python
"""Fault: PostgreSQL goes away under load, then comes back.

The machine's shared PostgreSQL is never restarted. Instead gunicorn reaches it through a small
TCP proxy on loopback; cutting the proxy drops every open database connection mid-request and
refuses new ones, which is what the portal sees when PostgreSQL restarts.

    .venv/bin/python scripts/faults/postgres_cut.py [--cut-seconds 4]

It migrates and seeds its own database (portal_faults), starts gunicorn (production settings),
signs staff in, and keeps acknowledgements and home-page requests going while it cuts the
database for a few seconds and restores it. It then checks:
1. every answer was a success or the portal's friendly error page (templates/500.html), with
   no hang and no other error;
2. the cut was felt (some requests failed) and the portal recovered by itself (everything after
   the restore succeeded);
3. nothing was half-written: every acknowledgement has its audit event and its request marked
   done, and the hash chain's head counts exactly the records there are;
4. people whose acknowledgement failed during the cut can acknowledge afterwards.
Exit status 0 when all hold. Loopback only; bounded in requests and time.
"""

import argparse
import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from _client import sign_in_many  # noqa: E402
from _server import (  # noqa: E402
    Portal,
    database_create,
    free_port,
    manage,
    portal_env,
    run_script,
)

FRIENDLY = "nothing was half-saved"


class CuttableProxy:
    """127.0.0.1:port -> PostgreSQL, with a switch that drops and refuses connections."""

    def __init__(self, upstream_port: int = 5432):
        self.upstream_port = upstream_port
        self.port = free_port()
        self.open = True
        self.writers: set[asyncio.StreamWriter] = set()
        self.server: asyncio.base_events.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _serve(self, reader, writer) -> None:
        if not self.open:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, up_writer}

        async def pipe(source, sink) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.writers -= {writer, up_writer}

    def cut(self) -> None:
        self.open = False
        for writer in list(self.writers):
            transport = writer.transport
            if transport is not None:
                transport.abort()  # like a restart: connections die, no goodbye
        self.writers.clear()

    def restore(self) -> None:
        self.open = True

    async def stop(self) -> None:
        self.cut()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


def db_counts(database_url: str) -> dict:
    import psycopg2

    with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM acknowledgements_acknowledgement")
        records = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM audit_auditevent WHERE action = %s",
                       ["acknowledgements.acknowledged"])
        audited = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM acknowledgements_assignment a JOIN "
                       "acknowledgements_acknowledgement r ON r.id = a.acknowledgement_id "
                       "AND r.version_id = a.version_id")
        marked = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(sequence), 0) FROM acknowledgements_chainhead")
        head = cursor.fetchone()[0]
    connection.close()
    return {"records": records, "audited": audited, "marked": marked, "head": head}


async def scenario(url: str, plan: dict, proxy: CuttableProxy, args) -> dict:
    ackers = plan["ack"]
    clients = await sign_in_many(url, [p["email"] for p in ackers], plan["password"],
                                 concurrency=4)
    outcomes = []  # (phase, kind, index, status, friendly, detail)
    started = time.monotonic()
    cut_at, restore_at = args.before, args.before + args.cut_seconds
    end_at = restore_at + args.after
    phase = "before"
    third = len(ackers) // 3  # fresh people to acknowledge in each phase
    pools = {"before": list(range(third)), "cut": list(range(third, 2 * third)),
             "after": list(range(2 * third, len(ackers)))}

    async def acknowledge(i: int):
        person, client = ackers[i], clients[i]
        return await client.post(
            f"/acknowledgements/a/{person['assignment']}/acknowledge/",
            data={"agree": "yes", **person["answers"],
                  "csrfmiddlewaretoken": client.cookies["csrftoken"]})

    async def worker(n: int) -> None:
        while time.monotonic() - started < end_at:
            pool = pools.get(phase, [])
            i = pool.pop(0) if n % 2 == 0 and pool and phase != "grace" else None
            seen_phase = phase
            try:
                if i is not None:
                    response = await acknowledge(i)
                    kind = "acknowledge"
                else:
                    response = await clients[n % len(clients)].get("/")
                    kind = "home"
                status, text = response.status_code, response.text
                if phase != seen_phase:  # in flight when the database went or came back
                    seen_phase = f"{seen_phase}->{phase}"
                outcomes.append((seen_phase, kind, i, status, FRIENDLY in text, ""))
            except Exception as error:  # a hang or a dropped connection at gunicorn
                outcomes.append((seen_phase, "acknowledge" if i is not None else "home", i,
                                 None, False, f"{type(error).__name__}: {error}"))
            await asyncio.sleep(0.05)

    async def switch() -> None:
        nonlocal phase
        await asyncio.sleep(cut_at)
        proxy.cut()
        phase = "cut"
        print(f"  t={time.monotonic() - started:.1f}s: database cut", flush=True)
        await asyncio.sleep(args.cut_seconds)
        proxy.restore()
        phase = "grace"
        print(f"  t={time.monotonic() - started:.1f}s: database back", flush=True)
        await asyncio.sleep(args.grace)
        phase = "after"

    await asyncio.gather(switch(), *(worker(n) for n in range(args.concurrency)))
    failed = sorted({o[2] for o in outcomes
                     if o[1] == "acknowledge" and o[3] != 302 and o[2] is not None})
    retried = []
    for i in failed:
        response = await acknowledge(i)
        retried.append((i, response.status_code))
    for client in clients:
        await client.aclose()
    return {"outcomes": outcomes, "retried": retried,
            "succeeded": sorted({o[2] for o in outcomes if o[1] == "acknowledge"
                                 and o[3] == 302} | {i for i, s in retried if s == 302})}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url",
                        default="postgres://postgres@127.0.0.1:5432/portal_faults")
    parser.add_argument("--before", type=float, default=4.0, help="seconds of normal load")
    parser.add_argument("--cut-seconds", type=float, default=4.0)
    parser.add_argument("--grace", type=float, default=1.0,
                        help="seconds after the restore before 'after' counts")
    parser.add_argument("--after", type=float, default=6.0, help="seconds of load after")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--ack-users", type=int, default=120)
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database from the last run (default: rebuild it)")
    args = parser.parse_args()
    var_dir = ROOT / "var" / "faults"
    direct = portal_env(args.database_url, var_dir)
    print("preparing the database (migrate, seed_demo, 400 people)…", flush=True)
    database_create(args.database_url, fresh=not args.reuse)
    manage(direct, "migrate", "--noinput")
    manage(direct, "collectstatic", "--noinput")
    manage(direct, "seed_demo")
    plan = json.loads(run_script(direct, ROOT / "bench" / "_seed.py", "--people", "400",
                                 "--academies", "2", "--ack-users", str(args.ack_users),
                                 "--read-users", "0").strip().splitlines()[-1])
    if len(plan["ack"]) < 20:
        print(f"only {len(plan['ack'])} outstanding requests left; rebuild with "
              "DROP DATABASE portal_faults")
        return 1
    before = db_counts(args.database_url)

    async def run() -> dict:
        proxy = CuttableProxy()
        await proxy.start()
        proxied = args.database_url.replace(":5432/", f":{proxy.port}/")
        env = {**direct, "DATABASE_URL": proxied}
        portal = Portal(env, workers=2, timeout=20)
        await asyncio.to_thread(portal.start)
        try:
            print(f"gunicorn on {portal.url}, database through 127.0.0.1:{proxy.port}",
                  flush=True)
            return await scenario(portal.url, plan, proxy, args)
        finally:
            await asyncio.to_thread(portal.stop)
            await proxy.stop()

    result = asyncio.run(asyncio.wait_for(run(), timeout=600))
    after = db_counts(args.database_url)
    outcomes = result["outcomes"]
    problems = []
    by_phase: dict[str, dict] = {}
    for phase, _kind, _i, status, friendly, detail in outcomes:
        key = str(status) + (" (friendly page)" if status == 500 and friendly else "") \
            if status else detail.split(":")[0]
        by_phase.setdefault(phase, {}).setdefault(key, 0)
        by_phase[phase][key] += 1
        if status is None or (status >= 500 and not friendly) or status not in (200, 302, 500):
            problems.append(f"{phase}: {status} {detail}")
    for phase in sorted(by_phase, key=lambda p: [o[0] for o in outcomes].index(p)):
        print(f"  {phase:14}: {by_phase[phase]}")
    if not any(o[3] == 500 for o in outcomes if o[0] == "cut"):
        problems.append("the cut was not felt: no request failed while the database was away")
    if not any(o[1] == "acknowledge" and o[3] == 302 for o in outcomes if o[0] == "after"):
        problems.append("no acknowledgement was made after the database came back")
    if any(o[3] != 200 and o[3] != 302 for o in outcomes if o[0] == "after"):
        problems.append("the portal did not recover: failures after the database came back")
    added = {k: after[k] - before[k] for k in after}
    print(f"  new acknowledgement records {added['records']}, audit events {added['audited']}, "
          f"requests marked done {added['marked']}, chain head +{added['head']}; "
          f"{len(result['succeeded'])} people were told it worked "
          f"({len(result['retried'])} retried after the cut)")
    if not (added["records"] == added["audited"] == added["marked"] == added["head"]
            == len(result["succeeded"])):
        problems.append(f"half-written or lost records: {added} vs "
                        f"{len(result['succeeded'])} successes")
    if any(status != 302 for _i, status in result["retried"]):
        problems.append(f"retries after the cut failed: {result['retried']}")
    print("PASS: failed cleanly with the friendly page, recovered, nothing half-written"
          if not problems else "FAIL:\n  " + "\n  ".join(problems[:20]))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
