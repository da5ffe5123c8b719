"""python manage.py import_policy PATH --title "Social Media Policy" [--as EMAIL] [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, User
from documents.reader import DocumentReadError, policy_text_from_file
from policies import services
from policies.common import lower_first
from policies.import_preview import build_preview


class Command(BaseCommand):
    help = "Import a Word (.docx) or plain-text policy as a draft version (same text twice: no-op)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Word (.docx) or UTF-8 plain-text policy document")
        parser.add_argument("--title", default="", help="Policy title (default: from the file)")
        parser.add_argument(
            "--as", dest="actor", default="",
            help="Email of the person recorded as importing it (default: the first HR person)",
        )
        parser.add_argument(
            "--confirm-warnings", action="store_true",
            help="Import as written although the checks found something (listed first)",
        )
        parser.add_argument(
            "--dry-run", action="store_true",
            help="Print the clause tree, what it would become and the warnings; save nothing",
        )

    def handle(self, *args, path: str, title: str, actor: str, confirm_warnings: bool = False,
               dry_run: bool = False, **options):
        try:
            raw = Path(path).read_bytes()
            # A Word document becomes the same text (documents app, issue 19).
            word_text = policy_text_from_file(Path(path).name, raw)
            text = word_text if word_text is not None else raw.decode("utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except DocumentReadError as error:
            raise CommandError(f"{path}: {error.message}") from None
        except UnicodeDecodeError:
            raise CommandError(
                f"{path}: not a UTF-8 plain-text file; save the policy as plain text first"
            ) from None
        if dry_run:
            self._print_preview(path, text, title)
            return
        person = None
        if actor:
            person = User.objects.filter(email__iexact=actor).first()
            if person is None:
                raise CommandError(f"nobody has the email {actor}")
        else:
            person = User.objects.current().filter(role=Role.HR).order_by("pk").first()
        try:
            result = services.policy_import(
                text=text, title=title, actor=person, source_name=Path(path).name,
                confirm_warnings=confirm_warnings,
            )
        except services.ImportNeedsConfirmation as error:
            lines = "\n".join(
                f"  line {w.line_number}: {w.message}" if w.line_number else f"  {w.message}"
                for w in error.warnings)
            raise CommandError(f"{path}: {error}:\n{lines}\nRun again with --confirm-warnings "
                               "to import it as written.") from None
        except services.PolicyError as error:
            raise CommandError(f"{path}: {error}") from None
        version = result.version
        if result.created:
            self.stdout.write(
                f"Imported {result.policy.title} version {version.label} as a draft: "
                f"{version.clauses.count()} clauses, content hash {version.content_hash[:12]}."
            )
        else:
            self.stdout.write(
                f"Already imported: {result.policy.title} version {version.label} "
                f"({lower_first(version.get_status_display())}) has exactly this text. "
                "Nothing changed."
            )

    def _print_preview(self, path: str, text: str, title: str) -> None:
        """What the import page's preview shows, as text; nothing is saved."""
        try:
            preview = build_preview(text, title)
        except services.PolicyError as error:
            raise CommandError(f"{path}: {error}") from None
        if preview.identical:
            becomes = (f"nothing: version {preview.identical.label} of "
                       f"{preview.identical.policy.title} already has exactly this text")
        elif preview.policy:
            becomes = f"the next version of {preview.policy.title}, as a draft"
            if preview.current:
                becomes += (f"; against version {preview.current.label}: "
                            f"{preview.change_line}")
        else:
            becomes = f"a new policy, {preview.title}, as a draft"
        self.stdout.write(f"{preview.title}: {preview.clause_count} clauses. Would become "
                          f"{becomes}.")
        for label, value, _was in preview.cover:
            self.stdout.write(f"  {label}: {value or '(not given)'}")
        for row in preview.rows:
            self.stdout.write(f"{'  ' * row['level']}{row['number']}  {row['short']}")
        for w in preview.warnings:
            self.stdout.write(f"Warning: line {w.line_number}: {w.message}" if w.line_number
                              else f"Warning: {w.message}")
        self.stdout.write("Dry run: nothing saved.")
