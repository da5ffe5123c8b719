from django.core.management.base import BaseCommand

from core.hooks import demo_modules


class Command(BaseCommand):
    help = "Load the demo trust, people, policy and sample work. Safe to run again."

    def handle(self, *args, **options):
        for app, module in demo_modules():
            self.stdout.write(f"Seeding {app}…")
            module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
