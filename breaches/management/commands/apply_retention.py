from django.core.management.base import BaseCommand

from breaches.services import apply_retention


class Command(BaseCommand):
    help = ("Anonymise closed breach cases whose retention date has passed (evidence files "
            "are deleted); cases under legal hold are skipped. Records what it did.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="List what would be anonymised without changing anything.")

    def handle(self, *args, dry_run: bool = False, **options):
        result = apply_retention(dry_run=dry_run)
        verb = "Would anonymise" if dry_run else "Anonymised"
        self.stdout.write(f"{verb} {len(result['anonymised'])} case(s): "
                          f"{', '.join(result['anonymised']) or 'none'}")
        self.stdout.write(f"Skipped under legal hold: {', '.join(result['held']) or 'none'}")
        self.stdout.write(f"Stale drafts {'to delete' if dry_run else 'deleted'}: "
                          f"{len(result['drafts_deleted'])}")
