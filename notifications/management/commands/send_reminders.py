from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.kinds import DAILY, IMMEDIATE, PORTAL_ONLY, explain, group_for_kind
from notifications.services import preferences_for
from notifications.sweep import run_sweep

HOW = {IMMEDIATE: "email now", DAILY: "daily summary", PORTAL_ONLY: "portal only",
       "urgent": "URGENT email now"}


def _channel_for(reminder, prefs: dict[str, str]) -> str:
    if reminder.urgent:
        return "urgent"
    return prefs.get(group_for_kind(reminder.kind).code, DAILY)


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
            prefs: dict[int, dict[str, str]] = {}
            for reminder, seen in result.planned:
                person = reminder.recipient
                if seen:
                    flag = "already sent"
                else:
                    if person.pk not in prefs:
                        prefs[person.pk] = preferences_for(person)
                    flag = HOW[_channel_for(reminder, prefs[person.pk])]
                self.stdout.write(
                    f"- [{flag}] {person.full_name} <{person.email}>: {reminder.title} "
                    f"({reminder.kind}, {reminder.period or 'once'})"
                )
                why = explain(reminder.kind)
                self.stdout.write(f"    why: {why}" + (f" ({reminder.reason})"
                                                       if reminder.reason else ""))
            new = result.collected - result.already_sent
            self.stdout.write(f"{result.collected} reminders due; {new} would be sent, "
                              f"{result.already_sent} were sent before.")
        else:
            self.stdout.write(self.style.SUCCESS(result.summary()))
        for error in result.errors:
            self.stderr.write(self.style.ERROR(f"Collector failed: {error}"))
        if result.errors:
            raise CommandError("Some reminder collectors failed; the rest were sent.")
