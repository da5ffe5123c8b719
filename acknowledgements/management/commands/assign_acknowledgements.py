"""Ask joiners (on their start date) and new members of an audience to acknowledge."""

from django.core.management.base import BaseCommand

from acknowledgements.services import assignments_sync


class Command(BaseCommand):
    help = "Create acknowledgement requests for joiners and people new to a policy's audience."

    def handle(self, *args, **options) -> None:
        created = assignments_sync()
        self.stdout.write(f"{created} new acknowledgement requests.")
