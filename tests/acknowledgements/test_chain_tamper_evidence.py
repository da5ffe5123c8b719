"""Tamper evidence that survives the database owner (issue 17, point 6).

The chain's hashes are keyed (HMAC-SHA-256 under settings.ACK_CHAIN_KEY, never stored in the
database); the head is published outside the database (audit packs, a signed weekly notice to
HR and the Board) and `verify_acknowledgements --head` checks the chain against it."""

import hashlib
import importlib
import io
import json

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from acknowledgements import chain
from acknowledgements.models import Acknowledgement, Assignment, ChainHead
from acknowledgements.services import acknowledgement_record, head_notice_send
from audit.models import AuditEvent
from notifications.models import Notification

TABLE = Acknowledgement._meta.db_table


def record_for(person, version):
    assignment = Assignment.objects.get(person=person, version=version)
    return acknowledgement_record(assignment=assignment, method="portal",
                                  check_reading=False).record


def as_database_owner(statements):
    """Run SQL as someone who owns the database: the append-only triggers switched off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER acknowledgement_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS acknowledgement_append_only")
        for sql, params in statements:
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER acknowledgement_append_only")


def rehash_without_the_key(records, *, start_hash, change=None):
    """What the owner can do without the key: rewrite records and recompute every hash after
    them with plain SHA-256 (or any key they guess), then move the chain head."""
    statements, previous = [], start_hash
    for record in records:
        if change and record.pk == change[0]:
            for field, value in change[1].items():
                setattr(record, field, value)
        record.previous_hash = previous
        data = json.dumps(record.chain_payload(), sort_keys=True, separators=(",", ":"))
        record.record_hash = hashlib.sha256(data.encode()).hexdigest()
        statements.append((f"UPDATE {TABLE} SET previous_hash = %s, record_hash = %s, "
                           "ip_address = %s WHERE id = %s",
                           [record.previous_hash, record.record_hash, record.ip_address,
                            record.pk]))
        previous = record.record_hash
    statements.append(("UPDATE acknowledgements_chainhead SET record_hash = %s WHERE id = 1",
                       [previous]))
    as_database_owner(statements)


def verify(*args) -> tuple[bool, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_acknowledgements", *args, stdout=out, stderr=err)
    except SystemExit:
        return False, err.getvalue()
    return True, out.getvalue()


@pytest.fixture
def three(org, published):
    return [record_for(person, published) for person in (org.staff, org.colleague, org.manager)]


def test_each_record_hash_is_keyed_with_a_key_kept_outside_the_database(three, settings):
    record = Acknowledgement.objects.get(pk=three[0].pk)
    assert record.record_hash == record.compute_hash()
    assert record.record_hash != record.compute_hash(keyed=False)
    settings.ACK_CHAIN_KEY = "another key"
    assert record.record_hash != record.compute_hash()


def test_a_database_owner_who_rewrites_a_record_and_recomputes_the_chain_without_the_key_is_caught(
        three):
    records = list(Acknowledgement.objects.order_by("sequence"))
    rehash_without_the_key(records, start_hash="0" * 64,
                           change=(three[1].pk, {"ip_address": "192.0.2.99"}))

    ok, message = verify()

    assert not ok
    assert "BROKEN at record #1" in message and "altered" in message


def test_moving_where_keyed_hashing_starts_is_caught_by_the_keys_seal(three):
    records = list(Acknowledgement.objects.order_by("sequence"))
    rehash_without_the_key(records, start_hash="0" * 64,
                           change=(three[1].pk, {"ip_address": "192.0.2.99"}))
    # Claim every record predates the key, so plain SHA-256 would do.
    as_database_owner([("UPDATE acknowledgements_chainhead SET keyed_from = 4 WHERE id = 1",
                        [])])

    ok, message = verify()

    assert not ok
    assert "seal" in message


def _make_legacy(records):
    """Records as they were before the key existed: plain SHA-256, then the migration."""
    rehash_without_the_key(records, start_hash="0" * 64)
    migration = importlib.import_module(
        "acknowledgements.migrations.0005_chain_keyed_hashes_from_a_sealed_boundary")
    migration.seal_the_boundary(apps, None)


def test_records_hashed_before_the_key_existed_still_verify_and_new_ones_are_keyed(
        org, published, three):
    _make_legacy(list(Acknowledgement.objects.order_by("sequence")))
    assert ChainHead.objects.get(pk=1).keyed_from == 4

    later = record_for(org.principal, published)

    assert later.sequence == 4 and later.record_hash == later.compute_hash()
    assert verify()[0]


def test_a_change_to_a_record_from_before_the_key_is_caught_by_the_seal(three):
    records = list(Acknowledgement.objects.order_by("sequence"))
    _make_legacy(records)
    rehash_without_the_key(list(Acknowledgement.objects.order_by("sequence")),
                           start_hash="0" * 64,
                           change=(three[0].pk, {"ip_address": "192.0.2.99"}))

    ok, message = verify()

    assert not ok and "seal" in message


def test_a_head_printed_earlier_that_is_still_on_the_chain_passes(org, published, three):
    printed = chain.current_head()
    record_for(org.principal, published)

    ok, message = verify("--head", printed.record_hash)

    assert ok and "is on the chain" in message


def test_removing_the_last_records_passes_a_plain_check_but_fails_against_the_printed_head(
        three):
    printed = chain.current_head()
    # The owner removes the last record, everything pointing to it, and moves the head back.
    as_database_owner([
        ("UPDATE acknowledgements_assignment SET acknowledgement_id = NULL, "
         "acknowledged_at = NULL WHERE acknowledgement_id = %s", [three[2].pk]),
        (f"DELETE FROM {TABLE} WHERE id = %s", [three[2].pk]),
        ("UPDATE acknowledgements_chainhead SET sequence = %s, record_hash = %s WHERE id = 1",
         [three[1].sequence, three[1].record_hash]),
    ])

    assert verify()[0]  # what the database alone can tell
    ok, message = verify("--head", printed.record_hash)

    assert not ok
    assert "is not on the chain" in message and printed.record_hash in message


def test_a_head_that_was_never_on_the_chain_fails_loudly(three):
    ok, message = verify("--head", "ab" * 32)
    assert not ok and "is not on the chain" in message


def test_the_signature_printed_with_a_head_is_checked(three):
    head = chain.current_head()
    assert verify("--head", head.record_hash, "--signature", head.signature)[0]
    ok, message = verify("--head", head.record_hash, "--signature", "0" * 64)
    assert not ok and "signature" in message


def test_hr_and_the_board_are_sent_the_signed_chain_head_once_a_week(org, three):
    head = chain.current_head()

    told = head_notice_send()
    again = head_notice_send()

    notices = Notification.objects.filter(kind="ack.chain_head")
    assert told == 2 and again == 0
    assert {n.recipient for n in notices} == {org.hr, org.board}
    body = notices.first().body
    assert head.record_hash in body and head.signature in body
    assert f"#{head.sequence}" in body
    assert AuditEvent.objects.filter(action="acknowledgements.chain_head_published").count() == 1


def test_the_weekly_notice_is_a_scheduled_task():
    from core.schedules import SCHEDULES

    schedule = next(s for s in SCHEDULES if s.task == "acknowledgements.publish_chain_head")
    assert schedule.day_of_week == "1"


def test_the_chain_key_is_stored_nowhere_in_the_database(org, three):
    head_notice_send()
    dump = io.StringIO()
    call_command("dumpdata", "acknowledgements", "audit", "notifications", stdout=dump)
    assert settings.ACK_CHAIN_KEY not in dump.getvalue()
