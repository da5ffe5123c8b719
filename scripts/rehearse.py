"""Production rehearsal on this machine, without containers (run by scripts/rehearse and CI).

The same commands the compose services run, on loopback only, with free ports:
check --deploy, collectstatic, migrate, gunicorn with production settings, a Celery worker and
beat on Redis, Caddy with its internal certificate authority in front, a local SMTP server in
place of the trust's mail relay. Then, over HTTPS, what people do and what a technician does:
the first administrator signs in (two-factor enrolment), staff acknowledge a policy and report
misuse with evidence, HR builds an audit pack on the worker, emails reach the SMTP server with
working links and wait while it is down; then back up, drop the database and the files, restore,
and check the acknowledgement chain, the pack built before the backup, the evidence's hash and
the audit trail. Stops everything it started; gives up after REHEARSAL_TIMEOUT seconds.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import psycopg2
from rehearsal_http import (
    Browser,
    Failed,
    MailRelay,
    TimedOut,
    caddyfile_for,
    check,
    free_port,
    links_in,
    parse,
    say,
    totp,
)

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
BIN = Path(PY).parent
DEMO_PASSWORD = "demo-portal-2026"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ADMIN_EMAIL = "it@trust.example"
ADMIN_PASSWORD = "first-admin-" + secrets.token_urlsafe(12)
# A 1x1 PNG: the evidence a member of staff uploads.
EVIDENCE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")


# --- the rehearsal ------------------------------------------------------------------------------

class Rehearsal:
    def __init__(self, keep: bool):
        self.keep = keep
        self.started = time.monotonic()
        self.work = ROOT / "var" / "rehearsal"
        self.procs: dict[str, subprocess.Popen] = {}
        url = os.environ.get("REHEARSAL_DATABASE_URL",
                             "postgres://postgres@127.0.0.1:5432/portal_rehearsal")
        parts = urlsplit(url)
        self.db_name = parts.path.lstrip("/")
        if "rehearsal" not in self.db_name:
            raise SystemExit(f"REHEARSAL_DATABASE_URL must name a database containing "
                             f"'rehearsal' (it is dropped): {self.db_name}")
        self.db_url = url
        self.db_admin = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432,
                         "user": parts.username or "postgres", "password": parts.password,
                         "dbname": "postgres"}
        redis_db = int(os.environ.get("REHEARSAL_REDIS_DB", "10"))
        self.redis_url = f"redis://127.0.0.1:6379/{redis_db}"
        self.ports = {name: free_port() for name in ("web", "https", "http", "smtp")}
        self.mail = MailRelay(self.ports["smtp"])
        self.site = f"https://localhost:{self.ports['https']}"
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("DJANGO_", "PORTAL_", "DEBUG", "CELERY_"))}
        self.env.update({
            "SECRET_KEY": secrets.token_urlsafe(50), "ACK_CHAIN_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": url,
            "REDIS_URL": self.redis_url, "ALLOWED_HOSTS": "localhost",
            "CSRF_TRUSTED_ORIGINS": self.site, "SITE_URL": self.site,
            "TRUST_NAME": "Rehearsal Learning Trust",
            "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(self.ports["smtp"]),
            "EMAIL_USE_TLS": "0", "EMAIL_TIMEOUT": "5",
            "DEFAULT_FROM_EMAIL": "Policy Portal <policies@trust.example>",
            "PRIVATE_STORAGE_ROOT": str(self.work / "private"),
            "PORTAL_VAR_DIR": str(self.work / "var"), "BACKUP_DIR": str(self.work / "backups"),
            "TRUST_X_FORWARDED_FOR": "1", "LOG_FORMAT": "json", "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        })

    # -- plumbing --

    @contextmanager
    def step(self, title: str):
        started = time.monotonic()
        say(f"== {title}")
        yield
        say(f"   ok ({time.monotonic() - started:.1f} s)")

    def manage(self, *args: str, check_ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=300)
        if check_ok and done.returncode != 0:
            raise Failed(f"manage.py {' '.join(args)} failed:\n{done.stdout[-3000:]}"
                         f"\n{done.stderr[-3000:]}")
        return done

    def script(self, name: str, *args: str) -> str:
        done = subprocess.run([str(ROOT / "scripts" / name), *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise Failed(f"scripts/{name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    def start(self, name: str, command: list[str], env: dict | None = None) -> None:
        log = open(self.work / "logs" / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(command, cwd=ROOT, env=env or self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self, *names: str) -> None:
        for name in names:
            proc = self.procs.get(name)
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for name in names:
            proc = self.procs.pop(name, None)
            if proc is None:
                continue
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    def alive(self) -> None:
        for name, proc in self.procs.items():
            check(proc.poll() is None, f"{name} stopped (exit {proc.returncode}); see "
                                       f"{self.work / 'logs' / (name + '.log')}")

    def sql(self, query: str, params=(), *, dbname: str | None = None):
        conn = psycopg2.connect(**{**self.db_admin, "dbname": dbname or self.db_name})
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall() if cursor.description else None
        finally:
            conn.close()

    def drop_database(self) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)', dbname="postgres")

    def redis_flush(self) -> None:
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()

    def wait(self, what: str, predicate, timeout: float, every: float = 1.0):
        deadline = time.monotonic() + timeout
        while True:
            self.alive()
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise Failed(f"Timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(every)

    # -- SMTP (aiosmtpd) in place of the trust's relay --

    # -- the phases --

    def prepare(self) -> None:
        if self.work.exists():
            shutil.rmtree(self.work)
        for sub in ("logs", "var", "private", "backups", "caddy"):
            (self.work / sub).mkdir(parents=True)
        if shutil.which("caddy") is None:
            check(os.geteuid() == 0 and shutil.which("apt-get"),
                  "Caddy is missing: apt-get install caddy")
            say("   installing Caddy (Debian package)")
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "caddy"], check=True,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                           stdout=subprocess.DEVNULL)
        self.drop_database()
        self.sql(f'CREATE DATABASE "{self.db_name}"', dbname="postgres")
        self.redis_flush()

    def install(self) -> None:
        with self.step("check --deploy with production settings (DEBUG off, a real SECRET_KEY)"):
            out = self.manage("check", "--deploy", "--fail-level", "WARNING")
            check("no issues" in out.stdout, out.stdout + out.stderr)
        with self.step("collectstatic, migrate (the image build and the migrate service)"):
            static = subprocess.Popen([PY, "manage.py", "collectstatic", "--no-input", "-v0"],
                                      cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True)
            self.manage("migrate", "--no-input", "-v0")
            output = static.communicate(timeout=300)[0]
            check(static.returncode == 0, f"collectstatic failed: {output[-2000:]}")
        with self.step("demo content (seed_demo) and the first administrator (createsuperuser)"):
            self.manage("seed_demo")
            self.env["DJANGO_SUPERUSER_PASSWORD"] = ADMIN_PASSWORD
            self.manage("createsuperuser", "--no-input", "--email", ADMIN_EMAIL)
            del self.env["DJANGO_SUPERUSER_PASSWORD"]
            # What an administrator may tune in the admin: send waiting email every 10 s (not
            # 60 s) so the outage below ends within the rehearsal's time.
            self.sql("UPDATE django_celery_beat_intervalschedule SET every = 10 WHERE id = ("
                     "SELECT interval_id FROM django_celery_beat_periodictask "
                     "WHERE task = 'notifications.flush_outbox')")
            self.sql("UPDATE django_celery_beat_periodictasks SET last_update = now()")

    def start_services(self) -> None:
        self.start("gunicorn", [str(BIN / "gunicorn"), "portal.wsgi:application", "--bind",
                                f"127.0.0.1:{self.ports['web']}", "--workers", "2",
                                "--timeout", "60"])
        self.start("worker", [str(BIN / "celery"), "-A", "portal", "worker", "--loglevel=info",
                              "--concurrency=2", "--hostname", f"rehearsal-{os.getpid()}@%h"])
        self.start("beat", [str(BIN / "celery"), "-A", "portal", "beat", "--loglevel=info",
                            "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
                            "--schedule", str(self.work / "var" / "beat-schedule")])

    def start_caddy(self) -> None:
        caddyfile = self.work / "caddy" / "Caddyfile"
        caddyfile.write_text(caddyfile_for(site=self.site, ports=self.ports,
                                           storage=self.work / "caddy" / "data"))
        env = {**os.environ, "HOME": str(self.work / "caddy"),
               "XDG_DATA_HOME": str(self.work / "caddy"),
               "XDG_CONFIG_HOME": str(self.work / "caddy")}
        self.start("caddy", ["caddy", "run", "--config", str(caddyfile), "--adapter",
                             "caddyfile"], env=env)
        root = self.work / "caddy" / "data" / "pki" / "authorities" / "local" / "root.crt"
        self.wait("Caddy's root certificate", root.exists, 30, 0.3)
        self.ca = ssl.create_default_context(cafile=str(root))
        self.root_cert = root

    def browser(self, name: str) -> Browser:
        return Browser(self.site, self.ca, name)

    def run(self) -> None:
        self.prepare()
        self.install()
        with self.step("start gunicorn, Celery worker and beat on Redis, SMTP, Caddy "
                       "(tls internal)"):
            self.mail.start()
            self.start_services()
            self.start_caddy()
            self.wait_healthy()
        self.check_tls()
        admin = self.first_administrator()
        teacher, assignment = self.acknowledge()
        case_ref, evidence_sha = self.report_misuse(teacher)
        self.mail_outage(teacher)
        pack = self.audit_pack()
        self.wait_for_waiting_mail()
        self.backup_and_restore(pack, case_ref, evidence_sha)
        with self.step("every email the rehearsal caused reached SMTP; its links are https"):
            check(len(self.mail.messages) >= 3, f"only {len(self.mail.messages)} emails")
            for message in self.mail.messages:
                for url in links_in(message):
                    check(url.startswith(self.site + "/") or "facebook.com" in url,
                          f"'{message['Subject']}' links to {url}")
            say(f"   {len(self.mail.messages)} emails: "
                + "; ".join(sorted({str(m['Subject'])[:60] for m in self.mail.messages})))
        del admin, assignment

    def wait_healthy(self) -> None:
        client = httpx.Client(verify=self.ca, timeout=10)

        def healthy():
            try:
                response = client.get(f"{self.site}/healthz")
            except httpx.HTTPError:
                return False
            return response.status_code == 200 and response.json()

        report = self.wait("/healthz over HTTPS: database, Redis and a worker heartbeat", healthy,
                           90)
        check(report["checks"]["redis"]["configured"], "Redis is not in use")
        # The web container's health check in docker-compose.yml, as written there.
        web = subprocess.run(["sh", "-c", "curl -fsS -H \"Host: ${ALLOWED_HOSTS%%,*}\" -H "
                              f"'X-Forwarded-Proto: https' 'http://127.0.0.1:{self.ports['web']}"
                              "/healthz?web'"], env=self.env, capture_output=True, text=True)
        check(web.returncode == 0, f"the compose web health check fails: {web.stderr}")

    def check_tls(self) -> None:
        with self.step("HTTPS: Caddy's certificate chain, HTTP redirect, HSTS, secure cookies"):
            with socket.create_connection(("127.0.0.1", self.ports["https"])) as raw:
                with self.ca.wrap_socket(raw, server_hostname="localhost") as tls:
                    cert = tls.getpeercert()
            issuer = dict(item[0] for item in cert["issuer"])
            check("Caddy Local Authority" in issuer.get("commonName", ""), f"issuer {issuer}")
            check(("DNS", "localhost") in cert["subjectAltName"], cert["subjectAltName"])
            try:  # without the root certificate the chain is refused
                httpx.get(f"{self.site}/healthz", timeout=5)
                raise Failed("the certificate was accepted without Caddy's root")
            except httpx.ConnectError:
                pass
            plain = httpx.get(f"http://localhost:{self.ports['http']}/accounts/login/",
                              timeout=5, follow_redirects=False)
            check(plain.status_code in (301, 308) and plain.headers["location"].startswith(
                self.site), f"plain HTTP answered {plain.status_code}")
            page = httpx.get(f"{self.site}/accounts/login/", verify=self.ca, timeout=10)
            check("max-age=" in page.headers.get("strict-transport-security", ""), "no HSTS")
            cookie = page.headers.get("set-cookie", "")
            check("Secure" in cookie, f"cookie not Secure: {cookie}")
            if os.environ.get("REHEARSAL_REQUEST_ID", "1") == "1":
                check(page.headers.get("x-request-id"), "no X-Request-ID header")
            say(f"   certificate for localhost issued by {issuer['commonName']}")

    def first_administrator(self) -> Browser:
        with self.step("first administrator: sign in over HTTPS, enrol two-factor, signed in"):
            admin = self.browser("admin")
            page = admin.get("/accounts/login/")
            page = admin.submit(page, {"login": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
                                contains="login")
            if "/accounts/reauthenticate/" in str(page.url):  # allauth: confirm the password
                page = admin.submit(page, {"password": ADMIN_PASSWORD}, contains="password")
            check("/accounts/2fa/totp/activate" in str(page.url),
                  f"the administrator was not asked to enrol two-factor ({page.url})")
            secret = re.search(r"\b([A-Z2-7]{32})\b", page.text)
            check(secret, "no authenticator secret shown")
            page = admin.submit(page, {"code": totp(secret.group(1))}, contains="code")
            # allauth offers recovery codes next; the portal then opens.
            page = admin.get("/")
            check(page.status_code == 200 and "/accounts/" not in str(page.url)
                  and "Sign out" in page.text, f"administrator not signed in ({page.url})")
            mail = self.wait("the two-factor confirmation email",
                             lambda: self.mail.to(ADMIN_EMAIL), 30)
            say(f"   email to the administrator: {mail[0]['Subject']}")
            return admin

    def acknowledge(self):
        with self.step("staff sign in and acknowledge the policy (reading, questions, receipt)"):
            rows = self.sql(
                "SELECT u.email, a.id, a.version_id FROM acknowledgements_assignment a "
                "JOIN accounts_user u ON u.id = a.person_id WHERE a.acknowledgement_id IS NULL "
                "AND u.role = 'staff' AND u.email LIKE 'teacher.%%' ORDER BY u.email LIMIT 1")
            check(rows, "no teacher has a policy to acknowledge")
            address, assignment, version = rows[0]
            teacher = self.browser("teacher")
            teacher.sign_in(address, DEMO_PASSWORD)
            teacher.email = address
            page = teacher.get(f"/acknowledgements/a/{assignment}/")
            for _ in range(60):  # read every section, as the pages lead
                nxt = [href for href, text in parse(page.text).links
                       if text in ("Next section", "Read the policy", "Continue to acknowledge")
                       or "Start reading" in text]
                if "/acknowledge/" in str(page.url) or not nxt:
                    break
                page = teacher.get(urljoin(str(page.url), nxt[0]))
            answers = {f"q{pk}": str(correct) for pk, correct in self.sql(
                "SELECT id, correct_choice FROM acknowledgements_question WHERE version_id = %s",
                [version])}
            page = teacher.get(f"/acknowledgements/a/{assignment}/acknowledge/")
            page = teacher.submit(page, {"agree": "yes", **answers}, contains="agree")
            check(f"/a/{assignment}/receipt/" in str(page.url),
                  f"not acknowledged ({page.url}): {page.text[:500]}")
            check("Acknowledged" in page.text, "the receipt does not say Acknowledged")
            return teacher, assignment

    def report_misuse(self, teacher: Browser):
        with self.step("staff report misuse with a screenshot; the Principal is emailed"):
            page = teacher.get("/reports/new/")
            principal = self.sql("SELECT u.id, u.email FROM accounts_user u JOIN accounts_user t "
                                 "ON t.academy_id = u.academy_id WHERE t.email = %s "
                                 "AND u.role = 'principal'", [self._email(teacher)])
            check(principal, "the teacher's academy has no Principal")
            concerned = self.sql("SELECT u.id FROM accounts_user u JOIN accounts_user t ON "
                                 "t.academy_id = u.academy_id WHERE t.email = %s AND u.id <> t.id "
                                 "AND u.role = 'staff' ORDER BY u.id LIMIT 1",
                                 [self._email(teacher)])[0][0]
            page = teacher.submit(page, contains="description", changes={
                "concerned_kind": "person", "concerned": str(concerned),
                "platform": "facebook", "links": "https://www.facebook.com/x/posts/1",
                "seen_at": time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() - 3600)),
                "description": "A photo of a pupil was posted on a public page.",
                "identity": "named", "evidence_description": "Screenshot of the post",
                "action": "submit"},
                files={"evidence_file": ("post.png", EVIDENCE_PNG, "image/png")})
            ref = re.search(r"Report sent: ([\w-]+)", page.text)
            check(ref, f"the report was not sent ({page.url}): {page.text[:800]}")
            case_ref = ref.group(1)
            rows = self.sql("SELECT e.sha256, e.stored_name FROM breaches_evidence e "
                            "JOIN breaches_case c ON c.id = e.case_id WHERE c.reference = %s",
                            [case_ref])
            check(rows, "no evidence stored")
            sha = hashlib.sha256(EVIDENCE_PNG).hexdigest()
            check(rows[0][0] == sha, "the stored evidence hash is not the upload's")
            on_disk = self.work / "private" / "breaches" / rows[0][1]
            check(hashlib.sha256(on_disk.read_bytes()).hexdigest() == sha,
                  "the evidence file on disk differs from the upload")
            principal_email = principal[0][1]
            mail = self.wait("the report email to the Principal (sent by the worker)",
                             lambda: self.mail.to(principal_email, case_ref), 60, 0.5)
            self.check_links(mail[0], principal_email, expect=case_ref)
            say(f"   {case_ref}: evidence SHA-256 {sha[:16]}…; email '{mail[0]['Subject']}'")
            return case_ref, sha

    def _email(self, browser: Browser) -> str:
        return browser.email

    def check_links(self, message, recipient: str, expect: str = "") -> None:
        links = [u for u in links_in(message) if not u.startswith("https://www.facebook")]
        check(links, f"no links in '{message['Subject']}'")
        for url in links:
            check(url.startswith(self.site + "/"), f"a link not on {self.site}: {url}")
        # The recipient follows the first link: sign-in page, then the page itself.
        person = self.browser(recipient)
        person.sign_in(recipient, DEMO_PASSWORD, DEMO_TOTP_SECRET)
        page = person.get(links[0])
        check(page.status_code == 200, f"{links[0]} answered {page.status_code}")
        if expect:
            check(expect in page.text, f"{links[0]} does not show {expect}")

    def mail_outage(self, teacher: Browser) -> None:
        with self.step("the SMTP server stops: a new report's email waits, then goes when it is "
                       "back"):
            self.mail.stop()
            page = teacher.get("/reports/new/")
            concerned = self.sql("SELECT id FROM accounts_user WHERE role = 'staff' AND email "
                                 "LIKE 'ta.%%' LIMIT 1")[0][0]
            page = teacher.submit(page, contains="description", changes={
                "concerned_kind": "person", "concerned": str(concerned), "platform": "tiktok",
                "seen_at": time.strftime("%Y-%m-%dT%H:%M"), "identity": "named",
                "description": "A video filmed in a classroom.", "action": "submit"})
            ref = re.search(r"Report sent: ([\w-]+)", page.text)
            check(ref, f"the second report was not sent: {page.text[:500]}")
            self.outage_ref = ref.group(1)
            failed = self.wait("the email to be tried and kept waiting", lambda: self.sql(
                "SELECT d.status, d.last_error FROM notifications_delivery d JOIN "
                "notifications_notification n ON n.delivery_id = d.id WHERE n.title LIKE %s "
                "AND d.status = 'failed'", [f"%{self.outage_ref}%"]), 60, 0.5)
            check(not self.mail.to("", self.outage_ref), "an email got through while SMTP was down")
            say(f"   waiting: {failed[0][1][:80]}")
            self.mail.start()

    def wait_for_waiting_mail(self) -> None:
        with self.step("the waiting email arrives after the SMTP server is back (outbox retry)"):
            mail = self.wait("the waiting email", lambda: self.mail.to("", self.outage_ref),
                             150, 1)
            for url in links_in(mail[0]):
                check(url.startswith(self.site + "/") or "facebook" in url, url)
            say(f"   delivered: '{mail[0]['Subject']}'")

    def audit_pack(self) -> Path:
        with self.step("HR builds an audit pack: queued by the web, built by the worker"):
            hr = self.browser("hr")
            hr.sign_in("hr@trust.example", DEMO_PASSWORD, DEMO_TOTP_SECRET)
            page = hr.get("/audit-packs/")
            url, data = hr.form(page, contains="subject")
            subject = [value for kind, field in [f for f in parse(page.text).forms
                                                 if any(x.get("name") == "subject"
                                                        for _, x in f["fields"])][0]["fields"]
                       if kind == "select" and field["name"] == "subject"
                       for value, _ in field["options"] if value.startswith("version:")]
            check(subject, "no policy version to build a pack of")
            page = hr.submit(page, {"subject": subject[0]}, contains="subject")
            document = re.search(r"/audit-packs/([\w-]+)/", str(page.url))
            check(document, f"no pack page after asking ({page.url})")
            doc = document.group(1)
            self.wait("the worker to build the pack", lambda: self.sql(
                "SELECT 1 FROM auditpacks_pack WHERE document_id = %s AND status = 'ready'",
                [doc]), 120, 1)
            pdf = hr.get(f"/audit-packs/{doc}/download/")
            check(pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), "no PDF")
            kept = self.work / f"{doc}.pdf"  # as HR keeps it, outside the portal
            kept.write_bytes(pdf.content)
            say(f"   {doc}: {len(pdf.content):,} bytes")
            self.hr = hr
            return kept

    def backup_and_restore(self, pack: Path, case_ref: str, evidence_sha: str) -> None:
        with self.step("stop web, worker, beat; scripts/backup"):
            self.stop("gunicorn", "worker", "beat")
            before = json.loads(self.manage("backup", "--fingerprint").stdout)
            out = self.script("backup")
            say("   " + out.strip().splitlines()[0])
            backup = next((self.work / "backups").glob("portal-backup-*.tar"))
        with self.step("lose everything: drop the database, delete the private files"):
            self.drop_database()
            shutil.rmtree(self.work / "private")
            self.redis_flush()
        with self.step("scripts/restore into the empty database and storage"):
            out = self.script("restore", str(backup))
            say("   " + " / ".join(out.strip().splitlines()))
            after = json.loads(self.manage("backup", "--fingerprint").stdout)
            check(after == before, "the restored database differs from the one backed up")
        with self.step("verify_acknowledgements, verify_pack (built before the backup), the "
                       "evidence hash, the audit trail"):
            out = self.manage("verify_acknowledgements").stdout
            check("chain intact" in out, out)
            out = self.manage("verify_pack", str(pack)).stdout
            check("OK: This pack is genuine" in out, out)
            stored = self.sql("SELECT e.sha256, e.stored_name FROM breaches_evidence e JOIN "
                              "breaches_case c ON c.id = e.case_id WHERE c.reference = %s",
                              [case_ref])
            on_disk = self.work / "private" / "breaches" / stored[0][1]
            check(stored[0][0] == evidence_sha == hashlib.sha256(on_disk.read_bytes())
                  .hexdigest(), "the evidence file changed")
            check(self.sql("SELECT count(*) FROM audit_auditevent WHERE action = "
                           "'breaches.report_submitted' AND object_repr LIKE %s",
                           [f"%{case_ref}%"])[0][0] >= 1 or self.sql(
                "SELECT count(*) FROM audit_auditevent WHERE action = 'breaches.report_submitted'"
            )[0][0] >= 2, "the report is missing from the audit trail")
            say(f"   audit trail digest {before['audit_trail_sha256'][:16]}… unchanged; "
                f"{sum(before['row_counts'].values()):,} rows")
        with self.step("start again; the case handler opens the case and downloads the evidence "
                       "over HTTPS: the same bytes"):
            self.start_services()
            self.wait_healthy()
            principal = self.sql("SELECT u.email FROM breaches_case c JOIN accounts_user u ON "
                                 "u.id = c.handler_id WHERE c.reference = %s", [case_ref])
            handler = principal[0][0] if principal and principal[0][0] else \
                "principal.northfield@trust.example"
            person = self.browser("handler")
            person.sign_in(handler, DEMO_PASSWORD, DEMO_TOTP_SECRET)
            case_id = self.sql("SELECT id FROM breaches_case WHERE reference = %s",
                               [case_ref])[0][0]
            evidence_id = self.sql("SELECT id FROM breaches_evidence WHERE case_id = %s",
                                   [case_id])[0][0]
            page = person.get(f"/reports/cases/{case_id}/")
            check(page.status_code == 200 and case_ref in page.text, "case page after restore")
            download = person.get(f"/reports/evidence/{evidence_id}/")
            check(download.status_code == 200, f"evidence download {download.status_code}")
            check(hashlib.sha256(download.content).hexdigest() == evidence_sha,
                  "the downloaded evidence differs")

    def cleanup(self, ok: bool) -> None:
        self.stop(*list(self.procs))
        self.mail.stop()
        try:
            self.redis_flush()
        except Exception:
            pass
        if ok and not self.keep:
            try:
                self.drop_database()
            except Exception:
                pass
            shutil.rmtree(self.work, ignore_errors=True)

    def show_logs(self) -> None:
        for log in sorted((self.work / "logs").glob("*.log")):
            lines = log.read_text(errors="replace").splitlines()[-25:]
            say(f"--- {log.name} (last {len(lines)} lines)")
            for line in lines:
                say("    " + line[:400])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true",
                        help="keep var/rehearsal (logs, Caddyfile, backup) and the database")
    args = parser.parse_args()
    limit = int(os.environ.get("REHEARSAL_TIMEOUT", "600"))
    rehearsal = Rehearsal(keep=args.keep)

    def out_of_time(signum, frame):
        raise TimedOut(f"the rehearsal took longer than {limit} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.signal(signal.SIGTERM, out_of_time)
    signal.alarm(limit)
    ok = False
    try:
        rehearsal.run()
        ok = True
    except (Failed, TimedOut) as exc:
        say(f"REHEARSAL FAILED: {exc}")
        rehearsal.show_logs()
    finally:
        signal.alarm(0)
        rehearsal.cleanup(ok)
    took = time.monotonic() - rehearsal.started
    say(f"Rehearsal {'passed' if ok else 'FAILED'} in {took:.0f} s"
        + ("" if ok else f"; logs in {rehearsal.work / 'logs'}"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
