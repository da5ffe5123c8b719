"""An email to an address outside the portal goes through the outbox like any other."""

import datetime

import time_machine

from notifications.addresses import email_address
from notifications.models import Delivery
from notifications.services import flush_outbox

START = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=datetime.UTC)


def _email(about, **extra):
    return email_address(to="support@it.example", kind="test.it_contact", subject="Please stop",
                         body="Stop it now.", about=about, period="event-1", **extra)


def _break_mail(monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    def fail(self, *args, **kwargs):
        raise OSError("Connection refused by smtp.trust.example")

    monkeypatch.setattr(EmailMultiAlternatives, "send", fail)


def test_an_email_to_an_address_is_sent_after_commit_with_its_own_subject_and_text(
        org, mails, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = _email(org.staff)
    [mail] = mails()
    assert (mail.to, mail.subject, mail.body) == ("support@it.example", "Please stop",
                                                  "Stop it now.")
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.recipient is None


def test_the_same_email_is_queued_once(org):
    assert _email(org.staff) is not None
    assert _email(org.staff) is None
    assert Delivery.objects.count() == 1


def test_a_failed_email_to_an_address_stays_in_the_outbox_and_is_sent_on_the_retry(
        org, mails, monkeypatch, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False):
        with monkeypatch.context() as m, django_capture_on_commit_callbacks(execute=True):
            _break_mail(m)
            _email(org.staff)
        delivery = Delivery.objects.get()
        assert delivery.status == "failed" and "Connection refused" in delivery.last_error
        assert mails() == []
    with time_machine.travel(START + datetime.timedelta(minutes=2), tick=False):
        assert flush_outbox() == 1
    [mail] = mails()
    assert mail.to == "support@it.example"
    assert Delivery.objects.get().status == "sent"


def test_administrators_see_a_failed_email_to_an_address(
        org, client_as, monkeypatch, django_capture_on_commit_callbacks):
    _break_mail(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        _email(org.staff)
    assert Delivery.objects.get().status == "failed"
    page = client_as("admin").get("/notifications/deliveries/?q=it.example").content.decode()
    assert "support@it.example" in page and "Not a portal user" in page
