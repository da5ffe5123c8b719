"""The IT contact's monitoring emails go through the notifications outbox: a failed send stays
there, is retried and shown, and the request's audit trail records that it was queued."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from approvals.services import request_revoke
from audit.models import AuditEvent
from notifications.models import Delivery
from notifications.services import flush_outbox
from tests.approvals.conftest import decide, make_monitoring

IT = "it@colwyn.example"


@pytest.fixture(autouse=True)
def _it_contact(settings):
    settings.APPROVALS_IT_CONTACT_EMAIL = IT


def _mail_server_down(monkeypatch):
    def fail(self, *args, **kwargs):
        raise OSError("Connection refused by smtp.trust.example")

    monkeypatch.setattr(EmailMultiAlternatives, "send", fail)


def _to_it():
    return [m for m in mail.outbox if m.to == [IT]]


def test_approved_monitoring_queues_the_it_contacts_email_and_the_audit_says_so(
        org, django_capture_on_commit_callbacks):
    req = make_monitoring(org.manager, org.staff)
    with django_capture_on_commit_callbacks(execute=True):
        decide(req, org.ceo, reasons="Sufficient foundation.")
    delivery = Delivery.objects.get(to_address=IT)
    assert delivery.recipient is None and delivery.status == "sent"
    assert delivery.email_subject.startswith(f"Monitoring approved ({req.reference})")
    [sent] = _to_it()
    assert "Member of staff: Staff Member" in sent.body
    audit = AuditEvent.objects.for_object(req).get(action="approvals.approve")
    assert audit.changes["it_contact_email"] == {"to": IT, "subject": delivery.email_subject,
                                                 "delivery": delivery.pk}


def test_with_the_mail_server_down_the_stop_email_waits_in_the_outbox_and_goes_on_retry(
        org, monkeypatch, django_capture_on_commit_callbacks):
    req = make_monitoring(org.manager, org.staff)
    with django_capture_on_commit_callbacks(execute=True):
        decide(req, org.ceo, reasons="Sufficient foundation.")
    mail.outbox.clear()
    with monkeypatch.context() as m, django_capture_on_commit_callbacks(execute=True):
        _mail_server_down(m)
        request_revoke(req=req, actor=org.ceo, reasons="No longer needed.")
    stop = Delivery.objects.get(to_address=IT, kind="approvals.it_contact_stop")
    assert stop.status == "failed" and "Connection refused" in stop.last_error
    assert _to_it() == []
    with time_machine.travel(stop.next_attempt_at + datetime.timedelta(seconds=1)):
        flush_outbox()
    stop.refresh_from_db()
    assert stop.status == "sent"
    [sent] = _to_it()
    assert sent.subject == f"Monitoring must stop now ({req.reference})"
    assert "has been revoked" in sent.body
    audit = AuditEvent.objects.for_object(req).get(action="approvals.revoke")
    assert audit.changes["it_contact_email"]["delivery"] == stop.pk


def test_no_it_contact_address_means_no_email_and_nothing_in_the_audit(org, settings):
    settings.APPROVALS_IT_CONTACT_EMAIL = ""
    req = make_monitoring(org.manager, org.staff)
    decide(req, org.ceo, reasons="Sufficient foundation.")
    assert not Delivery.objects.filter(recipient__isnull=True).exists()
    audit = AuditEvent.objects.for_object(req).get(action="approvals.approve")
    assert "it_contact_email" not in audit.changes


def test_the_request_page_shows_an_it_contact_email_waiting_to_be_retried(
        org, client_as, monkeypatch, django_capture_on_commit_callbacks):
    req = make_monitoring(org.manager, org.staff)
    with monkeypatch.context() as m, django_capture_on_commit_callbacks(execute=True):
        _mail_server_down(m)
        decide(req, org.ceo, reasons="Sufficient foundation.")
    page = client_as("ceo").get(f"/approvals/{req.pk}/").content.decode()
    assert f"Monitoring approved ({req.reference}): please agree the set-up" in page
    assert "not sent yet; it is tried again at" in page
