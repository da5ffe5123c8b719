from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts import services


class Command(BaseCommand):
    help = "Create and update people from a staff CSV (see README for the columns)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and preview only.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        if dry_run:
            result = services.staff_import_parse(data)
        else:
            result = services.staff_import_apply(data=data, actor=None, source=file.name)
        if not result.ok:
            for line, message in result.errors:
                self.stderr.write(f"{'line ' + str(line) if line else 'file'}: {message}")
            raise CommandError(f"{len(result.errors)} problem(s); nothing was changed.")
        for row in result.rows:
            if row.action != "unchanged":
                self.stdout.write(f"line {row.line}: {row.action} {row.email}")
        verb = "Would apply" if dry_run else "Applied"
        self.stdout.write(self.style.SUCCESS(
            f"{verb}: {result.count('create')} created, {result.count('update')} updated, "
            f"{result.count('unchanged')} unchanged."
        ))
