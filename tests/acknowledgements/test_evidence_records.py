import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction

from acknowledgements.models import Acknowledgement, Assignment, RecordImmutable
from acknowledgements.selectors import chain_head_hash
from acknowledgements.services import acknowledgement_record


def record_for(person, version, method="portal"):
    assignment = Assignment.objects.get(person=person, version=version)
    return acknowledgement_record(assignment=assignment, method=method,
                                  check_reading=False).record


def alter_row_by_hand(record, **values):
    """What a DBA with direct access could do: bypass the application and its trigger."""
    table = Acknowledgement._meta.db_table
    sets = ", ".join(f"{column} = %s" for column in values)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER acknowledgement_append_only")
            cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s",
                           [*values.values(), record.pk])
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER acknowledgement_append_only")
        else:
            cursor.execute("DROP TRIGGER acknowledgement_append_only")
            cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s",
                           [*values.values(), record.pk])


def test_the_application_cannot_edit_a_record(org, published):
    record = record_for(org.staff, published)
    record.user_agent = "changed"
    with pytest.raises(RecordImmutable):
        record.save()
    with pytest.raises(RecordImmutable):
        Acknowledgement.objects.filter(pk=record.pk).update(user_agent="changed")


def test_the_application_cannot_delete_a_record(org, published):
    record = record_for(org.staff, published)
    with pytest.raises(RecordImmutable):
        record.delete()
    with pytest.raises(RecordImmutable):
        Acknowledgement.objects.all().delete()


def test_the_database_refuses_an_update_too(org, published):
    record = record_for(org.staff, published)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE acknowledgements_acknowledgement SET user_agent = 'x' "
                           "WHERE id = %s", [record.pk])


def test_the_database_refuses_a_delete_on_postgresql(postgres_only, org, published):
    record = record_for(org.staff, published)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM acknowledgements_acknowledgement WHERE id = %s",
                           [record.pk])


def test_each_record_holds_the_hash_of_the_one_before(org, published):
    first = record_for(org.staff, published)
    second = record_for(org.colleague, published)
    assert second.previous_hash == first.record_hash
    assert second.sequence == first.sequence + 1
    assert chain_head_hash() == second.record_hash


def test_verify_passes_on_an_untouched_chain(org, published, capsys):
    record_for(org.staff, published)
    record_for(org.colleague, published)
    call_command("verify_acknowledgements")
    assert "chain intact" in capsys.readouterr().out


def test_verify_reports_the_first_altered_row_and_exits_non_zero(org, published, capsys):
    record_for(org.staff, published)
    altered = record_for(org.colleague, published)
    record_for(org.manager, published)
    alter_row_by_hand(altered, user_agent="forged")
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_acknowledgements")
    assert exit_info.value.code == 1
    assert f"BROKEN at record #{altered.sequence}" in capsys.readouterr().err


def test_verify_notices_a_rewritten_hash_through_the_next_link(org, published, capsys):
    record_for(org.staff, published)
    altered = record_for(org.colleague, published)
    following = record_for(org.manager, published)
    forged = Acknowledgement.objects.get(pk=altered.pk)
    forged.ip_address = "192.0.2.1"
    alter_row_by_hand(altered, ip_address="192.0.2.1", record_hash=forged.compute_hash())
    with pytest.raises(SystemExit):
        call_command("verify_acknowledgements")
    assert f"BROKEN at record #{following.sequence}" in capsys.readouterr().err


def test_acknowledging_twice_keeps_one_record(org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)
    first = acknowledgement_record(assignment=assignment, method="portal", check_reading=False)
    second = acknowledgement_record(assignment=assignment, method="portal", check_reading=False)
    assert first.created and not second.created
    assert second.record == first.record
    assert Acknowledgement.objects.count() == 1


def test_the_database_allows_one_record_per_person_and_version(org, published):
    from django.db import IntegrityError

    record = record_for(org.staff, published)
    duplicate = Acknowledgement(**{
        f.attname: getattr(record, f.attname) for f in Acknowledgement._meta.concrete_fields
        if f.attname != "id"
    })
    duplicate.sequence, duplicate.record_hash = record.sequence + 1, "f" * 64
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.django_db(transaction=True)
def test_two_racing_requests_make_one_record(postgres_only, org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def attempt():
        try:
            fresh = Assignment.objects.select_related("person", "version", "version__policy") \
                .get(pk=assignment.pk)
            barrier.wait(timeout=10)
            outcomes.append(acknowledgement_record(assignment=fresh, method="portal",
                                                   check_reading=False))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert sorted(o.created for o in outcomes) == [False, True]
    assert Acknowledgement.objects.filter(person=org.staff).count() == 1
    call_command("verify_acknowledgements")


@pytest.mark.django_db(transaction=True)
def test_racing_records_for_different_people_keep_the_chain_intact(postgres_only, org,
                                                                   published):
    people = [org.staff, org.colleague, org.manager, org.outsider]
    barrier = threading.Barrier(len(people))
    errors = []

    def attempt(person):
        try:
            a = Assignment.objects.select_related("person", "version", "version__policy").get(
                person=person, version=published)
            barrier.wait(timeout=10)
            acknowledgement_record(assignment=a, method="portal", check_reading=False)
        except Exception as error:  # pragma: no cover
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=[p]) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert Acknowledgement.objects.count() == 4
    call_command("verify_acknowledgements")


def test_an_on_behalf_record_needs_the_managers_attestation(org, published):
    from acknowledgements.services import AcknowledgementError

    assignment = Assignment.objects.get(person=org.staff, version=published)
    with pytest.raises(AcknowledgementError):
        acknowledgement_record(assignment=assignment, method="on_behalf", recorded_by=org.manager,
                               attestation=" ")
