"""TRUNCATE cannot empty the audit trail or the acknowledgement records (issue 17, point 5).

The row triggers refuse UPDATE and DELETE; TRUNCATE fires no row trigger, so a statement-level
trigger refuses it (audit/migrations/0004_refuse_truncate.py). Test databases may flush only
when the session asks (tests/conftest.py); these tests switch that off first."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from audit.services import audit_log


@pytest.fixture
def as_production(postgres_only):
    """This connection as production sees it: the test-only switch off (for this test)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL portal.allow_truncate = 'off'")
        yield


def _refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        with connection.cursor() as cursor:
            # Rows written in this test's transaction leave deferred foreign-key checks
            # pending, which PostgreSQL would give as the reason instead.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(sql)
    return str(refused.value)


def test_truncate_of_the_audit_trail_is_refused(org, as_production):
    audit_log(action="test.kept")
    assert "audit_auditevent is append-only (TRUNCATE refused)" in _refused(
        "TRUNCATE audit_auditevent")
    assert AuditEvent.objects.filter(action="test.kept").exists()


def test_truncate_of_the_acknowledgement_records_with_cascade_is_refused(as_production):
    message = _refused("TRUNCATE acknowledgements_acknowledgement CASCADE")
    assert "acknowledgements_acknowledgement is append-only" in message


def test_truncate_cascading_from_the_people_table_is_refused(org, as_production):
    audit_log(action="test.kept", actor=org.hr)
    assert "append-only (TRUNCATE refused)" in _refused("TRUNCATE accounts_user CASCADE")
    assert AuditEvent.objects.filter(action="test.kept").exists()


def test_setting_the_switch_outside_a_test_database_does_not_help(postgres_only):
    """The switch counts only in a database whose name starts with test_: the function is
    asked the question a production database would answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'portal_refuse_truncate'")
        source = cursor.fetchone()[0]
        cursor.execute("SELECT 'portal' LIKE 'test\\_%%', 'test_portal' LIKE 'test\\_%%'")
        production_name_matches, test_name_matches = cursor.fetchone()
    assert "current_database() LIKE 'test\\_%'" in source
    assert "portal.allow_truncate" in source
    assert not production_name_matches and test_name_matches


@pytest.mark.django_db(transaction=True)
def test_the_test_flush_still_empties_every_table(postgres_only):
    audit_log(action="test.flushed")
    assert AuditEvent.objects.filter(action="test.flushed").exists()
    # The flush after this test (TransactionTestCase teardown) TRUNCATEs audit_auditevent;
    # the next test sees an empty table: test_the_flush_left_no_events.


@pytest.mark.django_db(transaction=True)
def test_the_flush_left_no_events(postgres_only):
    assert not AuditEvent.objects.filter(action="test.flushed").exists()
