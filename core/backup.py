"""Back up the database and the private files together; restore them into an empty portal.

A backup is one tar file (``portal-backup-YYYYMMDDTHHMMSSZ.tar``) and a ``.sha256`` beside it:

    database.dump     PostgreSQL: ``pg_dump --format=custom``
    database.sqlite3  SQLite (embedded installs): a consistent copy by SQLite's backup API
    files/…           every file under PRIVATE_STORAGE_ROOT (evidence, audit packs, …)
    manifest.json     what is inside: the SHA-256 and size of every other member, the
                      migrations the database had, when and from which portal it was taken

The database is dumped first, then the files are copied: every file the dumped database names
is in the backup (files are written before the rows that name them, and only the retention
clean-up deletes one). Restoring checks every SHA-256 before it touches anything, refuses a
database or storage folder that is not empty, then loads, copies and runs ``migrate``: a backup
taken before an upgrade comes back in the upgraded schema. Used by ``scripts/backup`` and
``scripts/restore`` (management commands ``backup`` and ``restore``); see docs/operations.md.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings

FORMAT = "policy-portal-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FILES = "files"
CHUNK = 1 << 20


class BackupError(Exception):
    """Something a technician must fix; the message says what."""


@dataclass
class BackupResult:
    path: Path
    sha256: str
    size: int
    database_bytes: int
    files: int
    files_bytes: int


@dataclass
class RestoreResult:
    manifest: dict
    files: int = 0
    migrations_applied: list[str] = field(default_factory=list)
    created_database: bool = False


# --- where things are ------------------------------------------------------------------------

def _database() -> dict:
    return settings.DATABASES["default"]


def _vendor() -> str:
    engine = _database()["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine}.")


def _storage_root() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT)


def _pg_env(dbname: str | None = None) -> dict[str, str]:
    """libpq variables for pg_dump/pg_restore: no password on a command line."""
    db = _database()
    env = dict(os.environ)
    for key, value in (("PGHOST", db.get("HOST")), ("PGPORT", db.get("PORT")),
                       ("PGUSER", db.get("USER")), ("PGPASSWORD", db.get("PASSWORD")),
                       ("PGDATABASE", dbname or db.get("NAME")),
                       ("PGSSLMODE", (db.get("OPTIONS") or {}).get("sslmode"))):
        if value not in (None, ""):
            env[key] = str(value)
    return env


def _run(command: list[str], env: dict | None = None) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install "
                          "postgresql-client; it must be the server's major version or newer).")
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {(done.stderr or done.stdout).strip()[-2000:]}")


def _sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class _HashingReader(io.RawIOBase):
    """Reads a file for tarfile while hashing exactly the bytes that went into the archive."""

    def __init__(self, handle):
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _applied_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


def _migrations(cursor) -> list[str]:
    cursor.execute("SELECT app, name FROM django_migrations")
    return sorted(f"{app}.{name}" for app, name in cursor.fetchall())


def database_fingerprint(cursor, vendor: str) -> dict:
    """What a restored database must show: every table's row count, a digest of the audit
    trail and the acknowledgement chain's head. Read in the backup's own snapshot."""
    if vendor == "postgresql":
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                       "AND name NOT LIKE 'sqlite_%' ORDER BY 1")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    result: dict = {"row_counts": counts}
    if "audit_auditevent" in counts:
        digest = hashlib.sha256()
        cursor.execute("SELECT id, action, object_type, object_id, summary "
                       "FROM audit_auditevent ORDER BY id")
        for row in cursor.fetchall():
            digest.update(json.dumps(row, default=str).encode() + b"\n")
        result["audit_trail_sha256"] = digest.hexdigest()
    if "acknowledgements_chainhead" in counts:
        cursor.execute("SELECT sequence, record_hash FROM acknowledgements_chainhead")
        head = cursor.fetchone()
        result["acknowledgement_chain_head"] = list(head) if head else None
    return result


def _pg_connect(dbname: str | None = None):
    import psycopg2

    env = _pg_env(dbname)
    params = {"host": env.get("PGHOST"), "port": env.get("PGPORT"), "user": env.get("PGUSER"),
              "password": env.get("PGPASSWORD"), "sslmode": env.get("PGSSLMODE")}
    return psycopg2.connect(dbname=env["PGDATABASE"],
                            **{key: value for key, value in params.items() if value})


def _pg_dump(target: Path) -> tuple[list[str], dict]:
    """pg_dump in a snapshot shared with our own reads: the manifest describes the dump."""
    conn = _pg_connect()
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            migrations = _migrations(cursor)
            fingerprint = database_fingerprint(cursor, "postgresql")
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot}", "--file", str(target)], env=_pg_env())
        conn.rollback()
    finally:
        conn.close()
    return migrations, fingerprint


# --- backup ----------------------------------------------------------------------------------

def backup_create(*, output_dir: Path) -> BackupResult:
    """Write one backup tar file into output_dir; returns where and what is in it."""
    vendor = _vendor()
    output_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    final = output_dir / f"portal-backup-{now:%Y%m%dT%H%M%SZ}.tar"
    if final.exists():
        raise BackupError(f"{final} already exists; wait a second and run it again.")
    partial = final.with_suffix(".tar.partial")
    members: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="portal-backup-", dir=output_dir) as staging:
        staging = Path(staging)
        if vendor == "postgresql":
            db_member = PG_DUMP
            migrations, fingerprint = _pg_dump(staging / db_member)
        else:
            db_member = SQLITE_COPY
            _sqlite_copy(Path(_database()["NAME"]), staging / db_member)
            with closing(sqlite3.connect(staging / db_member)) as copy:
                cursor = copy.cursor()
                migrations, fingerprint = _migrations(cursor), database_fingerprint(cursor,
                                                                                    "sqlite")
        try:
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
                db_file = staging / db_member
                members[db_member] = {"sha256": _sha256_file(db_file),
                                      "size": db_file.stat().st_size}
                tar.add(db_file, arcname=db_member, recursive=False)
                files, files_bytes = _add_files(tar, members)
                manifest = {
                    "format": FORMAT, "format_version": FORMAT_VERSION,
                    "created_at": now.isoformat(), "database": {"vendor": vendor,
                                                                "member": db_member},
                    "site_url": settings.SITE_URL, "migrations": migrations,
                    "fingerprint": fingerprint, "members": members,
                }
                data = json.dumps(manifest, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
            os.chmod(partial, 0o600)
            digest = _sha256_file(partial)
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)
    final.with_name(final.name + ".sha256").write_text(f"{digest}  {final.name}\n")
    return BackupResult(path=final, sha256=digest, size=final.stat().st_size,
                        database_bytes=members[db_member]["size"], files=files,
                        files_bytes=files_bytes)


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"The SQLite database {source} does not exist.")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _add_files(tar: tarfile.TarFile, members: dict) -> tuple[int, int]:
    root = _storage_root()
    count = total = 0
    if not root.exists():
        return 0, 0
    for folder, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            arcname = str(PurePosixPath(FILES) / path.relative_to(root).as_posix())
            info = tar.gettarinfo(str(path), arcname=arcname)
            with open(path, "rb") as handle:
                reader = _HashingReader(handle)
                tar.addfile(info, reader)
            if reader.size != info.size:
                raise BackupError(f"{path} changed while it was being copied; run the backup "
                                  "again.")
            members[arcname] = {"sha256": reader.digest.hexdigest(), "size": info.size}
            count += 1
            total += info.size
    return count, total


# --- checking a backup -----------------------------------------------------------------------

def backup_verify(path: Path) -> dict:
    """Check every member against the manifest (and the .sha256 beside it when present).

    Returns the manifest; raises BackupError naming the first problem.
    """
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    sidecar = path.with_name(path.name + ".sha256")
    if sidecar.exists():
        expected = sidecar.read_text().split()[0]
        if _sha256_file(path) != expected:
            raise BackupError(f"{path.name} does not match {sidecar.name}: the file was altered "
                              "or copied incompletely.")
    seen: dict[str, dict] = {}
    manifest = None
    try:
        with tarfile.open(path, "r:") as tar:
            for member in tar:
                if not member.isfile():
                    raise BackupError(f"Unexpected entry in the backup: {member.name}")
                handle = tar.extractfile(member)
                if member.name == MANIFEST:
                    manifest = json.loads(handle.read())
                    continue
                digest = hashlib.sha256()
                while block := handle.read(CHUNK):
                    digest.update(block)
                seen[member.name] = {"sha256": digest.hexdigest(), "size": member.size}
    except (tarfile.TarError, OSError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path.name} is not a readable backup: {exc}") from exc
    if not manifest or manifest.get("format") != FORMAT:
        raise BackupError(f"{path.name} has no Policy Portal manifest.")
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise BackupError("This backup was written by a newer portal; restore it with that "
                          "version or newer.")
    listed = manifest["members"]
    for name, expected in sorted(listed.items()):
        if name not in seen:
            raise BackupError(f"{name} is listed in the manifest but missing from the backup.")
        if seen[name]["sha256"] != expected["sha256"] or seen[name]["size"] != expected["size"]:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest.")
    extra = sorted(set(seen) - set(listed))
    if extra:
        raise BackupError(f"{extra[0]} is in the backup but not in its manifest.")
    for name in listed:
        _safe_relative(name)
    return manifest


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise BackupError(f"Refusing a path outside the storage folder: {name}")
    return path


def _unknown_migrations(manifest: dict) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True)
             .disk_migrations}
    return sorted(set(manifest.get("migrations", [])) - known)


# --- restore ---------------------------------------------------------------------------------

def restore(path: Path, *, stdout=None) -> RestoreResult:
    """Restore a verified backup into an empty database and an empty storage folder."""
    from django.core.management import call_command
    from django.db import connection

    manifest = backup_verify(path)
    result = RestoreResult(manifest=manifest)
    vendor = _vendor()
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(f"This backup holds a {manifest['database']['vendor']} database; this "
                          f"portal is configured for {vendor} (DATABASE_URL).")
    unknown = _unknown_migrations(manifest)
    if unknown:
        raise BackupError("This backup comes from a newer version of the portal (its database "
                          f"has migrations this code does not know, e.g. {unknown[0]}). Restore "
                          "it with that version or newer.")
    _storage_must_be_empty()
    connection.close()
    if vendor == "postgresql":
        result.created_database = _pg_prepare_empty()
    else:
        _sqlite_must_be_empty(Path(_database()["NAME"]))
    with tarfile.open(path, "r:") as tar:
        db_member = manifest["database"]["member"]
        with tempfile.TemporaryDirectory(prefix="portal-restore-") as staging:
            dump = Path(staging) / "db"
            _extract_checked(tar, db_member, dump, manifest["members"][db_member]["sha256"])
            if vendor == "postgresql":
                _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                      "--single-transaction", "--dbname", _pg_env()["PGDATABASE"], str(dump)],
                     env=_pg_env())
            else:
                target = Path(_database()["NAME"])
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(dump, target)
        root = _storage_root()
        for name, expected in sorted(manifest["members"].items()):
            relative = _safe_relative(name)
            if relative.parts[0] != FILES:
                continue
            target = root.joinpath(*relative.parts[1:])
            _extract_checked(tar, name, target, expected["sha256"])
            result.files += 1
    expected = manifest.get("fingerprint")
    if expected is not None and _restored_fingerprint(vendor) != expected:
        raise BackupError("The restored database does not match the backup's manifest (row "
                          "counts, audit trail or acknowledgement chain); do not use it.")
    connection.close()
    before = set(_applied_migrations())
    call_command("migrate", interactive=False, verbosity=0)
    result.migrations_applied = sorted(set(_applied_migrations()) - before)
    return result


def _extract_checked(tar: tarfile.TarFile, name: str, target: Path, sha256: str) -> None:
    member = tar.getmember(name)
    handle = tar.extractfile(member)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    with open(partial, "wb") as out:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
            out.write(block)
    if digest.hexdigest() != sha256:
        partial.unlink()
        raise BackupError(f"{name} changed while it was being restored.")
    os.replace(partial, target)


def _storage_must_be_empty() -> None:
    root = _storage_root()
    if not root.exists():
        return
    for _folder, _dirs, filenames in os.walk(root):
        if filenames:
            raise BackupError(f"The storage folder {root} is not empty. Restore only into an "
                              "empty folder (move the old one aside first).")


def _sqlite_must_be_empty(path: Path) -> None:
    wal = path.with_name(path.name + "-wal")  # SQLite would replay it into the restored copy
    if wal.exists() and wal.stat().st_size and not path.exists():
        raise BackupError(f"{wal} is left from an earlier database; move it aside too.")
    if not path.exists() or path.stat().st_size == 0:
        return
    with sqlite3.connect(path) as db:
        tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
    if tables:
        raise BackupError(f"The database {path} is not empty. Restore only into an empty "
                          "database (move the old file aside first).")


def _pg_prepare_empty() -> bool:
    """Create the database when it does not exist; refuse one that has tables.

    Returns whether it was created.
    """
    import psycopg2
    from psycopg2 import sql

    name = _pg_env()["PGDATABASE"]
    created = False
    try:
        conn = _pg_connect()
    except psycopg2.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise BackupError(f"Cannot reach the database: {exc}".strip()) from exc
        admin = _pg_connect("postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        admin.close()
        created = True
        conn = _pg_connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM information_schema.tables "
                           "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")
            tables = cursor.fetchone()[0]
    finally:
        conn.close()
    if tables:
        raise BackupError(f"The database {name} is not empty ({tables} tables). Restore only into "
                          "an empty database: create a new one, or drop this one if you are sure.")
    return created


def _restored_fingerprint(vendor: str) -> dict:
    if vendor == "postgresql":
        conn = _pg_connect()
    else:
        conn = sqlite3.connect(_database()["NAME"])
    try:
        cursor = conn.cursor()
        return database_fingerprint(cursor, vendor)
    finally:
        conn.close()
