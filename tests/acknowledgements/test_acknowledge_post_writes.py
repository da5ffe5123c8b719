"""What one acknowledge POST writes: the chained record, the chain head, the request marked
done and the audit event (who, when, what, from where), then the receipt."""

from django.urls import reverse

from acknowledgements.models import GENESIS_HASH, Acknowledgement, Assignment, ChainHead
from acknowledgements.services import acknowledgement_record
from audit.models import AuditEvent
from tests.acknowledgements.conftest import read_everything


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
