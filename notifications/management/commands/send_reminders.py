from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.sweep import run_sweep


class Command(BaseCommand):
    help = ("Run today's reminder sweep (the same as Celery beat does each morning): collect "
            "every app's reminders, record each once, send immediate emails and daily summaries. "
            "With --dry-run, print who would get what and why, and change nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Print what would be sent; write and send nothing.")
        parser.add_argument("--date", metavar="YYYY-MM-DD",
                            help="Pretend today is this date (to try the rules, or catch up).")
        parser.add_argument("--no-digest", action="store_true",
                            help="Do not send the daily summary emails in this run.")

    def handle(self, *args, **options):
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must look like 2026-11-26.") from exc
        else:
            today = timezone.localdate()
        result = run_sweep(today=today, dry_run=options["dry_run"],
                           digest=not options["no_digest"])
        if options["dry_run"]:
            self.stdout.write(f"Dry run for {today:%A %d %B %Y}: nothing is written or sent.")
            for reminder, seen in result.planned:
                person = reminder.recipient
                flag = "already sent" if seen else ("URGENT" if reminder.urgent else "would send")
                self.stdout.write(
                    f"- [{flag}] {person.full_name} <{person.email}>: {reminder.title} "
                    f"({reminder.kind}, {reminder.period or 'once'})"
                )
                if reminder.reason:
                    self.stdout.write(f"    why: {reminder.reason}")
            new = result.collected - result.already_sent
            self.stdout.write(f"{result.collected} reminders due; {new} would be sent, "
                              f"{result.already_sent} were sent before.")
        else:
            self.stdout.write(self.style.SUCCESS(result.summary()))
        for error in result.errors:
            self.stderr.write(self.style.ERROR(f"Collector failed: {error}"))
        if result.errors:
            raise CommandError("Some reminder collectors failed; the rest were sent.")
