"""Check the acknowledgement hash chain; exit 1 and name the first broken link if altered.

``--head HASH``: also check that a chain head printed earlier (an audit pack, the signed
notice to HR and the Board) is still on the chain; ``--signature SIG``: and that the notice's
signature of that head is the portal's."""

from django.core.management.base import BaseCommand

from acknowledgements.chain import chain_verify


class Command(BaseCommand):
    help = ("Verify the hash chain of acknowledgement records (exit 1 if anything was altered); "
            "--head HASH checks it against a head printed earlier.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--head", default="",
                            help="A chain head printed earlier (audit pack or signed notice).")
        parser.add_argument("--signature", default="",
                            help="The signature printed with that head in the notice.")

    def handle(self, *args, head: str = "", signature: str = "", **options) -> None:
        result = chain_verify(published_head=head, published_signature=signature)
        if result.ok:
            message = (f"OK: {result.checked} acknowledgement records, chain intact. "
                       f"Head {result.head_hash}")
            if head:
                message += f". The head printed earlier ({head.strip()}) is on the chain"
                message += " and its signature matches." if signature else "."
            self.stdout.write(self.style.SUCCESS(message))
            return
        where = (f"record #{result.broken_sequence}" if result.broken_sequence is not None
                 else "the chain head")
        self.stderr.write(self.style.ERROR(f"BROKEN at {where}: {result.problem}"))
        raise SystemExit(1)
