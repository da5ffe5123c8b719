"""Keyed hashes for the acknowledgement chain (HMAC-SHA-256 under settings.ACK_CHAIN_KEY).

Records already on the chain were hashed with plain SHA-256 and are never rewritten (they are
evidence). The chain head now says where keyed hashing starts (`keyed_from`: the record after
the last existing one) and the key's seal on that boundary and the hash before it, so the
database owner can neither move the boundary nor change an older record without the key.
The key must be set before this migration runs (it is in every environment the portal starts
in). See "Tamper evidence and the database owner" in docs/security.md.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models

import acknowledgements.models

GENESIS_HASH = "0" * 64


def _seal(keyed_from: int, hash_before: str) -> str:
    # The same text as acknowledgements.models.keyed_from_seal (kept here as it was).
    text = f"acknowledgement-chain keyed-from {keyed_from} after {hash_before}".encode()
    return hmac.new(settings.ACK_CHAIN_KEY.encode(), text, hashlib.sha256).hexdigest()


def seal_the_boundary(apps, schema_editor):
    ChainHead = apps.get_model("acknowledgements", "ChainHead")
    Acknowledgement = apps.get_model("acknowledgements", "Acknowledgement")
    last = (Acknowledgement.objects.order_by("-sequence")
            .values_list("sequence", "record_hash").first())
    sequence, record_hash = last or (0, GENESIS_HASH)
    ChainHead.objects.get_or_create(pk=1, defaults={"sequence": sequence,
                                                    "record_hash": record_hash})
    # Only the boundary: a head row that disagrees with the last record still shows in
    # verify_acknowledgements.
    ChainHead.objects.filter(pk=1).update(keyed_from=sequence + 1,
                                          keyed_from_seal=_seal(sequence + 1, record_hash))


class Migration(migrations.Migration):

    dependencies = [
        ('acknowledgements', '0004_fewer_indexes_on_written_tables'),
    ]

    operations = [
        migrations.AddField(
            model_name='chainhead',
            name='keyed_from',
            field=models.PositiveBigIntegerField(default=1),
        ),
        migrations.AddField(
            model_name='chainhead',
            name='keyed_from_seal',
            field=models.CharField(default=acknowledgements.models.fresh_chain_seal,
                                   max_length=64),
        ),
        migrations.RunPython(seal_the_boundary, migrations.RunPython.noop),
    ]
