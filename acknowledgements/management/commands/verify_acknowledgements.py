"""Check the acknowledgement hash chain; exit 1 and name the first broken link if altered."""

from django.core.management.base import BaseCommand

from acknowledgements.chain import chain_verify


class Command(BaseCommand):
    help = "Verify the hash chain of acknowledgement records (exit 1 if anything was altered)."

    def handle(self, *args, **options) -> None:
        result = chain_verify()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(
                f"OK: {result.checked} acknowledgement records, chain intact. "
                f"Head {result.head_hash}"
            ))
            return
        self.stderr.write(self.style.ERROR(f"BROKEN at record #{result.broken_sequence}: "
                                           f"{result.problem}"))
        raise SystemExit(1)
