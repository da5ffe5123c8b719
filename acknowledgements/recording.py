"""Appending an evidence record to the hash chain, with the rows that change with it.

Each record holds the hash of the one before it, so records are appended one at a time: the
chain head row is locked while one is added. Four rows change together: the record, the chain
head, the request (marked done by the record) and the audit event, plus the used link when the
person came from an emailed link.

On PostgreSQL all of that is one SQL statement (data-modifying WITH queries): lock the chain
head, insert the record with its hash worked out in the database from the parts the model
prepared (`Acknowledgement.hash_parts`), move the head, mark the request done, write the event.
One statement is atomic on its own (no BEGIN and COMMIT round trips), and the chain head is
locked only while that statement runs, not across round trips between the web process and the
database, so acknowledgements arriving together wait less for each other.

Elsewhere (SQLite, which writes one transaction at a time anyway) the ORM writes the same rows
in one transaction.
"""

import functools
import json

from django.db import transaction

from acknowledgements.models import Acknowledgement, Assignment, ChainHead, UsedLink
from audit.models import AuditEvent

#: Filled in from the chain head when the record is appended.
CHAINED = ("sequence", "previous_hash", "record_hash")


def append(record: Acknowledgement, *, assignment: Assignment, event: AuditEvent,
           link_nonce: str = "") -> None:
    """Append `record` (everything but its id and the CHAINED fields set), mark `assignment`
    done by it and write `event` (its changes gain the record's id); with `link_nonce`, mark that
    emailed link used. All or nothing. On return the record has its id, sequence and hashes.

    Raises IntegrityError when the person already has a record for this version (a racing
    request made it) or the link was used already; nothing is written then.
    """
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        with transaction.atomic():
            _append_with_orm(record, assignment, event, link_nonce)
        return
    if connection.in_atomic_block:
        # Inside a caller's transaction: a savepoint, so a refused record leaves it usable.
        with transaction.atomic():
            _append_in_one_statement(connection, record, assignment, event, link_nonce)
    else:
        _append_in_one_statement(connection, record, assignment, event, link_nonce)


def _append_in_one_statement(connection, record, assignment, event, link_nonce) -> None:
    params = [*record.hash_parts(), *_values(record, connection, skip=CHAINED),
              record.acknowledged_at, assignment.pk,
              *_values(event, connection, skip=("changes",)), json.dumps(event.changes)]
    if link_nonce:
        params += _values(UsedLink(nonce=link_nonce, assignment=assignment), connection)
    with connection.cursor() as cursor:
        cursor.execute(_statement(bool(link_nonce)), params)
        row = cursor.fetchone()
    if row is None:  # the chain head row does not exist yet: nothing was written
        ChainHead.objects.get_or_create(pk=1)
        _append_in_one_statement(connection, record, assignment, event, link_nonce)
        return
    record.id, record.sequence, record.previous_hash, record.record_hash = row
    record._state.adding, record._state.db = False, connection.alias
    event.changes = {"record_id": record.id, **event.changes}


def _append_with_orm(record, assignment, event, link_nonce) -> None:
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head, _ = ChainHead.objects.get_or_create(pk=1)
    record.sequence, record.previous_hash = head.sequence + 1, head.record_hash
    record.record_hash = record.compute_hash()
    record.save()
    if link_nonce:
        UsedLink.objects.create(nonce=link_nonce, assignment=assignment)
    ChainHead.objects.filter(pk=1).update(sequence=record.sequence,
                                          record_hash=record.record_hash)
    Assignment.objects.filter(pk=assignment.pk, acknowledgement__isnull=True).update(
        acknowledgement_id=record.pk, acknowledged_at=record.acknowledged_at)
    event.changes = {"record_id": record.pk, **event.changes}
    event.save()


def _fields(model, skip=()) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in skip]


def _values(instance, connection, skip=()) -> list:
    """The values Django's own INSERT would write for `instance` (defaults, auto_now_add)."""
    return [f.get_db_prep_save(f.pre_save(instance, True), connection)
            for f in _fields(type(instance), skip)]


@functools.cache
def _statement(with_link: bool) -> str:
    """The one statement (PostgreSQL). Parameters, in order: the three hash parts, the record's
    fields (`_fields`, less CHAINED), the time the request is marked done and its id, the event's
    fields less its changes, the changes as JSON, and with a link the used link's fields."""
    connection = transaction.get_connection()
    q = connection.ops.quote_name

    def columns(fields):
        return ", ".join(q(f.column) for f in fields)

    def typed(fields):
        # INSERT … SELECT does not give untyped parameters the columns' types.
        return ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in fields)

    head, records = q(ChainHead._meta.db_table), q(Acknowledgement._meta.db_table)
    requests, events = q(Assignment._meta.db_table), q(AuditEvent._meta.db_table)
    record_fields, event_fields = _fields(Acknowledgement, CHAINED), _fields(AuditEvent,
                                                                             ("changes",))
    link = ""
    if with_link:
        link_fields = _fields(UsedLink)
        link = (f", used AS (INSERT INTO {q(UsedLink._meta.db_table)} ({columns(link_fields)}) "
                f"SELECT {typed(link_fields)} FROM record)")
    return (
        f"WITH head AS (SELECT {q('sequence')} + 1 AS seq, {q('record_hash')} AS prev "
        f"FROM {head} WHERE {q('id')} = 1 FOR UPDATE), "
        f"record AS (INSERT INTO {records} "
        f"({q('sequence')}, {q('previous_hash')}, {q('record_hash')}, {columns(record_fields)}) "
        f"SELECT seq, prev, encode(sha256(convert_to("
        f"CAST(%s AS text) || prev || CAST(%s AS text) || seq::text || CAST(%s AS text), "
        f"'UTF8')), 'hex'), {typed(record_fields)} FROM head "
        f"RETURNING {q('id')} AS id, {q('sequence')} AS seq, {q('previous_hash')} AS prev, "
        f"{q('record_hash')} AS hash), "
        f"moved AS (UPDATE {head} SET {q('sequence')} = record.seq, "
        f"{q('record_hash')} = record.hash FROM record WHERE {head}.{q('id')} = 1), "
        f"done AS (UPDATE {requests} SET {q('acknowledgement_id')} = record.id, "
        f"{q('acknowledged_at')} = CAST(%s AS timestamp with time zone) FROM record "
        f"WHERE {requests}.{q('id')} = %s AND {requests}.{q('acknowledgement_id')} IS NULL), "
        f"logged AS (INSERT INTO {events} ({columns(event_fields)}, {q('changes')}) "
        f"SELECT {typed(event_fields)}, "
        f"jsonb_build_object('record_id', record.id) || CAST(%s AS jsonb) FROM record)"
        f"{link} "
        f"SELECT id, seq, prev, hash FROM record"
    )

