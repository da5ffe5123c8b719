"""Restore a backup into an empty database and an empty storage folder (scripts/restore)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Check every SHA-256 in a backup, load it into an EMPTY database and EMPTY private "
            "storage folder, then run migrations (a backup from an older version comes back "
            "upgraded).")

    def add_arguments(self, parser):
        parser.add_argument("file", help="portal-backup-….tar")

    def handle(self, *args, file, **options):
        try:
            result = restore(Path(file))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        from acknowledgements.chain import chain_verify

        manifest = result.manifest
        if result.created_database:
            self.stdout.write("Created the empty database.")
        self.stdout.write(f"Restored the database and {result.files} files from the backup "
                          f"taken {manifest['created_at']}.")
        if result.migrations_applied:
            self.stdout.write(f"Upgraded it with {len(result.migrations_applied)} migrations: "
                              + ", ".join(result.migrations_applied))
        chain = chain_verify()
        if not chain.ok:
            raise CommandError(f"Restored, but the acknowledgement chain is broken at record "
                               f"#{chain.broken_sequence}: {chain.problem}")
        self.stdout.write(self.style.SUCCESS(
            f"OK: {chain.checked} acknowledgement records, chain intact. Start the portal."))
