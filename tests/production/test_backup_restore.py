"""The restore drill, as a technician runs it: scripts/backup, wipe, scripts/restore.

Runs the real scripts in subprocesses against a scratch database of the suite's own kind
(PostgreSQL `<DATABASE_URL's name>_backup_drill`, or a SQLite file) and scratch private storage.
The portal is backed up one version "behind" (core's migrations rolled back), so restoring also
shows a backup taken before an upgrade coming back in the upgraded schema.
"""

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[2]


class Portal:
    """One scratch installation: its environment, and the commands a technician types."""

    def __init__(self, base: Path):
        self.base = base
        self.files = base / "private"
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith("postgres"):
            config = dj_database_url.parse(url)
            self.pg_name = f"{config['NAME']}_backup_drill"[:63]
            self.pg_admin = {"host": config["HOST"] or "127.0.0.1", "port": config["PORT"] or 5432,
                             "user": config["USER"], "password": config["PASSWORD"]}
            self.url = url.rsplit("/", 1)[0] + "/" + self.pg_name
        else:
            self.pg_name = None
            self.url = f"sqlite:///{base / 'portal.sqlite3'}"
        self.env = {key: value for key, value in os.environ.items()
                    if key not in {"REDIS_URL", "PYTEST_CURRENT_TEST", "PORTAL_TESTING"}}
        self.env.update(DATABASE_URL=self.url, DEBUG="1", PRIVATE_STORAGE_ROOT=str(self.files),
                        PORTAL_VAR_DIR=str(base / "var"), DJANGO_SETTINGS_MODULE="portal.settings")

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([*args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=300)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run(sys.executable, "manage.py", *args, check=check)

    def fingerprint(self) -> dict:
        return json.loads(self.manage("backup", "--fingerprint").stdout)

    def tables(self) -> int:
        """How many tables the database has (0 when it does not exist)."""
        if self.pg_name:
            with self._pg("postgres") as conn, conn.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.pg_name])
                if cursor.fetchone() is None:
                    return 0
            with self._pg(self.pg_name) as conn, conn.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
                return cursor.fetchone()[0]
        import sqlite3

        path = self.base / "portal.sqlite3"
        if not path.exists():
            return 0
        with sqlite3.connect(path) as db:
            return db.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]

    def wipe(self) -> None:
        """What a lost server leaves: no database, no private files."""
        if self.pg_name:
            with self._pg("postgres") as conn, conn.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm"):
                (self.base / f"portal.sqlite3{suffix}").unlink(missing_ok=True)
        shutil.rmtree(self.files, ignore_errors=True)

    def create(self) -> None:
        """An empty database, as a new server (or the compose `db` service) starts with."""
        if self.pg_name:
            with self._pg("postgres") as conn, conn.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{self.pg_name}"')

    def _pg(self, dbname: str):
        import contextlib

        import psycopg2

        conn = psycopg2.connect(dbname=dbname, **{k: v for k, v in self.pg_admin.items() if v})
        conn.autocommit = True
        return contextlib.closing(conn)


def _files(root: Path) -> dict[str, str]:
    import hashlib

    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def _without_core(counts: dict) -> dict:
    return {table: n for table, n in counts.items() if not table.startswith("core_")}


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    """Seed a portal, roll it back to "the previous version", back it up, lose it, restore."""
    portal = Portal(tmp_path_factory.mktemp("drill"))
    portal.wipe()
    portal.create()
    portal.manage("migrate", "--no-input", "-v0")
    portal.manage("seed_demo")
    before = portal.fingerprint()
    files_before = _files(portal.files)
    # The previous version had no core tables: a backup from it must come back upgraded.
    portal.manage("migrate", "core", "zero", "--no-input", "-v0")
    backup_out = portal.run("scripts/backup", "--output-dir", str(portal.base / "backups")).stdout
    backup = next((portal.base / "backups").glob("portal-backup-*.tar"))
    portal.wipe()
    restore_out = portal.run("scripts/restore", str(backup)).stdout
    yield {"portal": portal, "backup": backup, "backup_out": backup_out,
           "restore_out": restore_out, "before": before, "files_before": files_before}
    portal.wipe()


def test_the_restored_portal_has_every_row_the_backed_up_one_had(drill):
    after = drill["portal"].fingerprint()
    before = drill["before"]
    assert _without_core(after["row_counts"]) == _without_core(before["row_counts"])
    assert after["audit_trail_sha256"] == before["audit_trail_sha256"]
    assert after["acknowledgement_chain_head"] == before["acknowledgement_chain_head"]


def test_the_restored_private_files_are_byte_for_byte_the_originals(drill):
    restored = _files(drill["portal"].files)
    assert restored == drill["files_before"]
    assert any(name.startswith("auditpacks/") for name in restored)


def test_the_acknowledgement_chain_and_an_audit_pack_verify_after_restore(drill):
    portal = drill["portal"]
    assert "chain intact" in portal.manage("verify_acknowledgements").stdout
    pack = next((portal.files / "auditpacks").glob("*.pdf"))
    assert "OK: This pack is genuine" in portal.manage("verify_pack", str(pack)).stdout


def test_a_backup_from_before_an_upgrade_is_migrated_on_restore(drill):
    upgraded = re.search(r"Upgraded it with \d+ migrations: (.*)", drill["restore_out"])
    assert upgraded, drill["restore_out"]
    assert {"core.0001_initial", "core.0002_heartbeat_schedule"} <= set(
        upgraded.group(1).split(", "))
    # No migration left to apply, and the tables the older version lacked now exist.
    drill["portal"].manage("migrate", "--check", "--no-input")
    assert "core_workerheartbeat" in drill["portal"].fingerprint()["row_counts"]


def test_the_backup_checks_itself_and_names_its_contents(drill):
    out = drill["portal"].run("scripts/backup", "--verify", str(drill["backup"])).stdout
    assert "is complete" in out
    sidecar = drill["backup"].with_name(drill["backup"].name + ".sha256").read_text()
    assert sidecar.split()[1] == drill["backup"].name
    with tarfile.open(drill["backup"]) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = {member.name for member in tar.getmembers()}
    assert set(manifest["members"]) == names - {"manifest.json"}
    assert "core.0001_initial" not in manifest["migrations"]


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(drill):
    portal = drill["portal"]
    before = portal.fingerprint()
    done = portal.run("scripts/restore", str(drill["backup"]), check=False)
    assert done.returncode != 0
    assert "not empty" in done.stderr
    assert portal.fingerprint() == before


def _tampered_copy(backup: Path, target: Path) -> Path:
    """The same archive with one byte of one private file changed (manifest untouched)."""
    with tarfile.open(backup) as source, tarfile.open(target, "w") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("files/auditpacks/"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            out.addfile(member, io.BytesIO(data))
    return target


def test_an_altered_backup_is_refused_before_anything_is_restored(drill, tmp_path):
    portal = Portal(tmp_path)
    portal.pg_name = portal.pg_name and f"{portal.pg_name[:50]}_tampered"
    if portal.pg_name:
        portal.url = portal.url.rsplit("/", 1)[0] + "/" + portal.pg_name
        portal.env["DATABASE_URL"] = portal.url
    portal.wipe()
    tampered = _tampered_copy(drill["backup"], tmp_path / "tampered.tar")
    try:
        done = portal.run("scripts/restore", str(tampered), check=False)
        assert done.returncode != 0
        assert "does not match its SHA-256" in done.stderr
        assert portal.tables() == 0
        assert not portal.files.exists() or not any(portal.files.rglob("*"))
    finally:
        portal.wipe()
