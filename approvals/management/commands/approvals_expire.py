from django.core.management.base import BaseCommand

from approvals.services import requests_end, requests_expire


class Command(BaseCommand):
    help = ("Expire posts and media enquiries not decided in time, and end exceptions, "
            "permissions and monitoring periods that are over (Celery runs this every 15 min).")

    def handle(self, *args, **options):
        expired, ended = requests_expire(), requests_end()
        for req in expired:
            self.stdout.write(f"expired {req.reference}: {req.title}")
        for req in ended:
            self.stdout.write(f"ended {req.reference}: {req.title}")
        self.stdout.write(f"{len(expired)} expired, {len(ended)} ended.")
