"""The hash chain of acknowledgement records: appending a record, and checking the chain.

Each record holds the hash of the one before it and its own keyed hash (HMAC-SHA-256 under
``settings.ACK_CHAIN_KEY``, which is never stored in the database). Records are appended one
at a time: the chain head row is locked (``select_for_update``) while the record, the head,
the request it satisfies, the used link and the audit event are written, all through the ORM
in one transaction, on every database, so `save()` and the signals run for each of them.

Tamper evidence outside the database: every audit pack prints the chain head, a signed notice
of the head goes to HR and the Board every week (`head_notice_send`), and
``manage.py verify_acknowledgements --head HASH`` checks the chain against a head printed
earlier. See "Tamper evidence and the database owner" in docs/security.md.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.db import transaction

from acknowledgements.models import (
    GENESIS_HASH,
    Acknowledgement,
    Assignment,
    ChainHead,
    UsedLink,
    chain_key,
    keyed_from_seal,
)
from audit.models import AuditEvent


def _head_for_update() -> ChainHead:
    """The chain head row, locked until the transaction ends (created on a fresh database)."""
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1)
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def append(record: Acknowledgement, *, assignment: Assignment, event: AuditEvent,
           link_nonce: str = "") -> None:
    """Append `record` (everything but sequence and hashes set), mark `assignment` done by it
    and write `event` (its changes gain the record's id); with `link_nonce`, mark that emailed
    link used. All or nothing. On return the record has its id, sequence and hashes.

    Raises IntegrityError when the person already has a record for this version (a racing
    request made it) or the link was used already; nothing is written then.
    """
    with transaction.atomic():
        head = _head_for_update()
        record.sequence, record.previous_hash = head.sequence + 1, head.record_hash
        record.record_hash = record.compute_hash()
        record.save()
        if link_nonce:
            UsedLink.objects.create(nonce=link_nonce, assignment=assignment)
        head.sequence, head.record_hash = record.sequence, record.record_hash
        head.save(update_fields=["sequence", "record_hash"])
        if assignment.acknowledgement_id is None:
            assignment.acknowledgement = record
            assignment.acknowledged_at = record.acknowledged_at
            assignment.save(update_fields=["acknowledgement", "acknowledged_at"])
        event.changes = {"record_id": record.pk, **event.changes}
        event.save()


# --------------------------------------------------------------------------- the head


@dataclass(frozen=True)
class Head:
    """Where the chain ends now: the last record's number and keyed hash."""

    sequence: int
    record_hash: str

    @property
    def signature(self) -> str:
        return head_signature(self.sequence, self.record_hash)


def current_head() -> Head:
    head = ChainHead.objects.filter(pk=1).values_list("sequence", "record_hash").first()
    return Head(*head) if head else Head(0, GENESIS_HASH)


def head_signature(sequence: int, record_hash: str) -> str:
    """The chain key's signature on a published head (in the notice to HR and the Board): it
    shows the notice came from the portal and names exactly this head."""
    text = f"acknowledgement-chain head {sequence} {record_hash}".encode()
    return hmac.new(chain_key(), text, hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------- checking


@dataclass
class ChainResult:
    ok: bool
    checked: int
    head_hash: str
    broken_sequence: int | None = None
    problem: str = ""


def _broken(checked, head_hash, sequence, problem) -> ChainResult:
    return ChainResult(False, checked, head_hash, sequence, problem)


def chain_verify(batch_size: int = 2000, *, published_head: str = "",
                 published_signature: str = "") -> ChainResult:
    """Walk every record in order: each must point to the one before and hash to its stored
    hash (keyed from `ChainHead.keyed_from`, plain SHA-256 before it, under the key's seal),
    and the head row must name the last record.

    ``published_head``: a head printed earlier (an audit pack, a notice): it must still be a
    record's hash on the chain, or the records after it were removed or rewritten.
    ``published_signature``: the notice's signature of that head, checked too."""
    head = ChainHead.objects.filter(pk=1).first()
    keyed_from = head.keyed_from if head is not None else 1
    previous_hash, expected_sequence, checked = GENESIS_HASH, 1, 0
    published = published_head.strip().lower()
    published_sequence = 0 if published == GENESIS_HASH else None
    for record in Acknowledgement.objects.order_by("sequence").iterator(chunk_size=batch_size):
        if record.sequence != expected_sequence:
            return _broken(checked, previous_hash, expected_sequence,
                           f"record #{expected_sequence} is missing "
                           f"(next found is #{record.sequence})")
        if record.sequence == keyed_from and not _seal_ok(head, previous_hash):
            return _broken(checked, previous_hash, record.sequence,
                           "the seal on where keyed hashing starts does not match")
        if record.previous_hash != previous_hash:
            return _broken(checked, previous_hash, record.sequence,
                           "it does not point to the record before it")
        keyed = record.sequence >= keyed_from
        if not hmac.compare_digest(record.compute_hash(keyed=keyed), record.record_hash):
            return _broken(checked, previous_hash, record.sequence,
                           f"its contents or hash were altered ({record.person_name}, "
                           f"version {record.version_id})")
        if record.record_hash == published:
            published_sequence = record.sequence
        previous_hash, expected_sequence = record.record_hash, record.sequence + 1
        checked += 1
    if checked and head is None:
        return _broken(checked, previous_hash, None, "the chain head row is missing")
    if head is not None and (head.sequence != checked or head.record_hash != previous_hash):
        return _broken(checked, previous_hash, head.sequence,
                       "the chain head does not match the last record (records removed?)")
    if head is not None and keyed_from > checked and not _seal_ok(head, previous_hash):
        return _broken(checked, previous_hash, keyed_from,
                       "the seal on where keyed hashing starts does not match")
    if published and published_sequence is None:
        return _broken(checked, previous_hash, None,
                       f"the head printed earlier ({published}) is not on the chain: records "
                       "after it were removed or rewritten, or it was mistyped")
    if published_signature and not hmac.compare_digest(
            head_signature(published_sequence or 0, published), published_signature.strip()):
        return _broken(checked, previous_hash, published_sequence,
                       "the notice's signature does not match that head")
    return ChainResult(True, checked, previous_hash)


def _seal_ok(head: ChainHead | None, hash_before: str) -> bool:
    if head is None:
        return True
    return hmac.compare_digest(keyed_from_seal(head.keyed_from, hash_before),
                               head.keyed_from_seal)
