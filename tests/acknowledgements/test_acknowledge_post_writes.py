"""What one acknowledge POST writes: the chained record, the chain head, the request marked
done and the audit event (who, when, what, from where), then the receipt."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from acknowledgements.models import GENESIS_HASH, Acknowledgement, Assignment, ChainHead
from acknowledgements.services import acknowledgement_record
from audit.models import AuditEvent
from tests.acknowledgements.conftest import read_everything
from tests.pages import cache_reads


def _post(client, assignment):
    return client.post(reverse("acknowledgements:acknowledge", args=[assignment.pk]),
                       {"agree": "yes"}, REMOTE_ADDR="192.0.2.7",
                       HTTP_USER_AGENT="Test browser/1.0")


def test_the_post_appends_the_record_moves_the_head_marks_the_request_and_audits_it(
        client_as, org, published):
    earlier = acknowledgement_record(
        assignment=Assignment.objects.get(person=org.colleague, version=published),
        method="portal", check_reading=False).record
    assignment = Assignment.objects.get(person=org.staff, version=published)
    client = client_as("staff")
    read_everything(client, assignment)

    response = _post(client, assignment)

    assert response.status_code == 302
    assert response["Location"] == reverse("acknowledgements:receipt", args=[assignment.pk])
    record = Acknowledgement.objects.get(person=org.staff, version=published)
    assert record.sequence == earlier.sequence + 1
    assert record.previous_hash == earlier.record_hash
    assert record.record_hash == record.compute_hash()
    assert (record.ip_address, record.user_agent) == ("192.0.2.7", "Test browser/1.0")
    head = ChainHead.objects.get(pk=1)
    assert (head.sequence, head.record_hash) == (record.sequence, record.record_hash)
    assignment.refresh_from_db()
    assert assignment.acknowledgement_id == record.pk
    assert assignment.acknowledged_at == record.acknowledged_at
    event = AuditEvent.objects.get(action="acknowledgements.acknowledged",
                                   object_id=str(assignment.pk))
    assert event.actor_id == org.staff.pk
    assert event.object_type == "acknowledgements.assignment"
    assert event.ip_address == "192.0.2.7"
    assert event.changes == {"record_id": record.pk, "method": "portal",
                             "content_hash": record.content_hash}
    assert client.get(response["Location"]).status_code == 200


def test_the_first_record_starts_the_chain_even_without_a_head_row(client_as, org, published):
    ChainHead.objects.all().delete()
    assignment = Assignment.objects.get(person=org.staff, version=published)
    client = client_as("staff")
    read_everything(client, assignment)

    assert _post(client, assignment).status_code == 302

    record = Acknowledgement.objects.get(person=org.staff, version=published)
    assert (record.sequence, record.previous_hash) == (1, GENESIS_HASH)
    assert ChainHead.objects.get(pk=1).record_hash == record.record_hash


def test_a_second_post_changes_nothing(client_as, org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)
    client = client_as("staff")
    read_everything(client, assignment)
    _post(client, assignment)
    head = ChainHead.objects.get(pk=1)

    response = _post(client, assignment)

    assert response.status_code == 302
    assert Acknowledgement.objects.filter(person=org.staff).count() == 1
    assert ChainHead.objects.get(pk=1).sequence == head.sequence
    assert AuditEvent.objects.filter(action="acknowledgements.acknowledged").count() == 1


def test_a_record_with_accents_quotes_and_backslashes_still_hashes_to_its_stored_hash(
        client_as, org, published):
    org.staff.full_name = 'Siân O\'Brien-Ñúñez "李" \\ back'
    org.staff.save()
    assignment = Assignment.objects.get(person=org.staff, version=published)
    client = client_as("staff")
    read_everything(client, assignment)

    client.post(reverse("acknowledgements:acknowledge", args=[assignment.pk]), {"agree": "yes"},
                HTTP_USER_AGENT='Browser "quoted" \\ 1.0 ☃\x00')

    record = Acknowledgement.objects.get(person=org.staff, version=published)
    assert record.person_name == 'Siân O\'Brien-Ñúñez "李" \\ back'
    assert record.user_agent == 'Browser "quoted" \\ 1.0 ☃'
    assert record.record_hash == record.compute_hash()
    call_command("verify_acknowledgements")


def test_the_post_saves_every_row_through_the_orm_so_their_signals_run(
        client_as, org, published):
    from django.db.models.signals import post_save

    saved = []

    def receiver(sender, instance, created, **kwargs):
        saved.append((sender.__name__, created))

    models = (Acknowledgement, ChainHead, Assignment, AuditEvent)
    for model in models:
        post_save.connect(receiver, sender=model, dispatch_uid=f"test-{model.__name__}")
    assignment = Assignment.objects.get(person=org.staff, version=published)
    client = client_as("staff")
    read_everything(client, assignment)
    saved.clear()
    try:
        assert _post(client, assignment).status_code == 302
    finally:
        for model in models:
            post_save.disconnect(sender=model, dispatch_uid=f"test-{model.__name__}")

    assert ("Acknowledgement", True) in saved
    assert ("ChainHead", False) in saved
    assert ("Assignment", False) in saved
    assert ("AuditEvent", True) in saved


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_post_locks_the_chain_head_row_while_it_appends(
        postgres_only, client_as, org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)
    client = client_as("staff")
    read_everything(client, assignment)

    with CaptureQueriesContext(connection) as queries:
        response = _post(client, assignment)

    assert response.status_code == 302
    sql = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, q in enumerate(sql) if "FOR UPDATE" in q and "chainhead" in q)
    insert = next(i for i, q in enumerate(sql)
                  if q.startswith('INSERT INTO "acknowledgements_acknowledgement"'))
    assert lock < insert
    record = Acknowledgement.objects.get(person=org.staff, version=published)
    assert Assignment.objects.get(pk=assignment.pk).acknowledgement_id == record.pk
    assert AuditEvent.objects.filter(action="acknowledgements.acknowledged",
                                     changes__record_id=record.pk).exists()
    call_command("verify_acknowledgements")


def test_after_acknowledging_the_receipt_thanks_the_person_and_shows_the_record(
        client_as, org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)
    client = client_as("staff")
    read_everything(client, assignment)

    response = client.post(reverse("acknowledgements:acknowledge", args=[assignment.pk]),
                           {"agree": "yes"}, follow=True)

    page = response.content.decode()
    record = Acknowledgement.objects.get(person=org.staff, version=published)
    assert "Thank you." in page
    assert f"#{record.sequence}" in page and record.content_hash in page


def test_the_post_reads_the_cache_once_for_the_text_and_addendum(
        client_as, org, published, monkeypatch):
    assignment = Assignment.objects.get(person=org.staff, version=published)
    client = client_as("staff")
    read_everything(client, assignment)
    client.get(reverse("acknowledgements:acknowledge", args=[assignment.pk]))
    reads = cache_reads(monkeypatch)

    response = _post(client, assignment)

    assert response.status_code == 302
    assert Acknowledgement.objects.filter(person=org.staff, version=published).exists()
    assert [name for name, _ in reads] == ["get_many"], reads
