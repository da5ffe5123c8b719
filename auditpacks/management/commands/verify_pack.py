"""Check an audit pack PDF against the database: exit status 0 if it still matches."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from auditpacks import services


class Command(BaseCommand):
    help = "Check that an audit pack PDF was issued by this portal and still matches its records."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The pack PDF")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        try:
            result = services.pack_verify(data=data, file_name=path.name)
        except services.PackError as exc:
            raise CommandError(str(exc)) from exc
        if result.document_id:
            self.stdout.write(f"Document ID: {result.document_id}")
        if result.pack is not None:
            self.stdout.write(f"Pack: {result.pack.get_kind_display()} for {result.pack.subject}")
        for check in result.checks:
            self.stdout.write(f"  {'OK     ' if check.ok else 'CHANGED'} {check.label}")
        for problem in result.problems:
            self.stdout.write(f"  - {problem}")
        if not result.ok:
            raise CommandError(f"FAILED: {result.headline}")
        self.stdout.write(self.style.SUCCESS(f"OK: {result.headline}"))
