"""Verify the hash chain of acknowledgement records."""

from dataclasses import dataclass

from acknowledgements.models import GENESIS_HASH, Acknowledgement, ChainHead


@dataclass
class ChainResult:
    ok: bool
    checked: int
    head_hash: str
    broken_sequence: int | None = None
    problem: str = ""


def chain_verify(batch_size: int = 2000) -> ChainResult:
    """Walk every record in order: each must hash to its stored hash and point to the last."""
    previous_hash, expected_sequence, checked = GENESIS_HASH, 1, 0
    for record in Acknowledgement.objects.order_by("sequence").iterator(chunk_size=batch_size):
        if record.sequence != expected_sequence:
            return ChainResult(False, checked, previous_hash, expected_sequence,
                               f"record #{expected_sequence} is missing "
                               f"(next found is #{record.sequence})")
        if record.previous_hash != previous_hash:
            return ChainResult(False, checked, previous_hash, record.sequence,
                               "it does not point to the record before it")
        if record.compute_hash() != record.record_hash:
            return ChainResult(False, checked, previous_hash, record.sequence,
                               f"its contents were altered ({record.person_name}, "
                               f"version {record.version_id})")
        previous_hash, expected_sequence, checked = record.record_hash, record.sequence + 1, \
            checked + 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.sequence != checked or head.record_hash != previous_hash):
        return ChainResult(False, checked, previous_hash, head.sequence,
                           "the chain head does not match the last record (records removed?)")
    return ChainResult(True, checked, previous_hash)
