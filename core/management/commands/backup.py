"""Back up the database and the private files into one verified tar file (scripts/backup)."""

import json
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_create, backup_verify, database_fingerprint


class Command(BaseCommand):
    help = ("Write portal-backup-<UTC time>.tar (database + private files + a SHA-256 manifest) "
            "into BACKUP_DIR (default var/backups), or check an existing one with --verify.")

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", help="Folder for the backup (default: BACKUP_DIR or "
                                                 "var/backups)")
        parser.add_argument("--verify", metavar="FILE",
                            help="Only check that FILE is complete and unaltered")
        parser.add_argument("--fingerprint", action="store_true",
                            help="Only print the database's row counts, audit trail digest and "
                                 "acknowledgement chain head as JSON (to compare after a drill)")

    def handle(self, *args, output_dir=None, verify=None, fingerprint=False, **options):
        if fingerprint:
            from django.db import connection

            with connection.cursor() as cursor:
                vendor = "sqlite" if connection.vendor == "sqlite" else connection.vendor
                found = database_fingerprint(cursor, vendor)
            self.stdout.write(json.dumps(found, indent=1, sort_keys=True))
            return
        try:
            if verify:
                manifest = backup_verify(Path(verify))
                self.stdout.write(self.style.SUCCESS(
                    f"OK: {verify} is complete; taken {manifest['created_at']}, "
                    f"{len(manifest['members'])} members match their SHA-256."))
                return
            folder = Path(output_dir or os.environ.get("BACKUP_DIR")
                          or Path(settings.VAR_DIR) / "backups")
            result = backup_create(output_dir=folder)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Backup written: {result.path} ({result.size:,} bytes; database "
            f"{result.database_bytes:,} bytes, {result.files} files of {result.files_bytes:,} "
            f"bytes)\nSHA-256 {result.sha256} (also in {result.path.name}.sha256)"))
