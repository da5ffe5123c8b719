import datetime

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Delivery, Notification
from notifications.services import delivery_send, flush_outbox, notify, preferences_update
from notifications.tasks import send_notification_email

START = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def immediate_staff(org):
    preferences_update(user=org.staff, choices={"acknowledgements": "immediate"})
    return org.staff


def _notify(person, **extra):
    return notify(recipient=person, kind="ack.assigned", title="Please read the policy",
                  about=person, url="/acknowledgements/1/", **extra)


def test_a_notification_is_written_in_the_callers_transaction_and_lost_with_it(org):
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(org.staff)
        raise RuntimeError("the change it reports failed")
    assert Notification.objects.count() == 0


def test_the_email_is_queued_only_after_the_transaction_commits(
    immediate_staff, mails, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify(immediate_staff)
        assert mails() == []
    assert callbacks
    for callback in callbacks:
        callback()
    assert len(mails(immediate_staff)) == 1


def test_a_notification_made_while_the_broker_is_down_is_sent_by_the_outbox_flush(
    immediate_staff, mails, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(send_notification_email, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(immediate_staff)
    assert mails() == []
    assert Notification.objects.get(pk=notification.pk).email_state == "new"
    assert flush_outbox() == 1
    assert len(mails(immediate_staff)) == 1
    assert flush_outbox() == 0


def _break_mail(monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    def fail(self, *args, **kwargs):
        raise OSError("Connection refused by smtp.trust.example")

    monkeypatch.setattr(EmailMultiAlternatives, "send", fail)


def test_a_failed_email_is_retried_after_a_back_off(immediate_staff, mails, monkeypatch):
    with time_machine.travel(START, tick=False):
        with monkeypatch.context() as m:
            _break_mail(m)
            _notify(immediate_staff)
            flush_outbox()
        delivery = Delivery.objects.get()
        assert delivery.status == "failed" and "Connection refused" in delivery.last_error
        assert delivery.next_attempt_at == START + datetime.timedelta(minutes=1)
        assert flush_outbox() == 0  # not yet due
    with time_machine.travel(START + datetime.timedelta(minutes=2), tick=False):
        assert flush_outbox() == 1
    assert len(mails(immediate_staff)) == 1
    assert Delivery.objects.get().status == "sent"


def test_the_back_off_grows_with_each_failure(immediate_staff, monkeypatch):
    _break_mail(monkeypatch)
    waits = []
    now = START
    with time_machine.travel(now, tick=False) as clock:
        _notify(immediate_staff)
        flush_outbox()
        for _ in range(3):
            delivery = Delivery.objects.get()
            waits.append(round((delivery.next_attempt_at - now).total_seconds() / 60))
            now = delivery.next_attempt_at
            clock.move_to(now)
            flush_outbox()
    assert waits == [1, 4, 16]


def test_after_five_failures_the_portal_gives_up_and_tells_administrators(
    immediate_staff, monkeypatch, client_as
):
    _break_mail(monkeypatch)
    with time_machine.travel(START, tick=False) as clock:
        _notify(immediate_staff)
        flush_outbox()
        for _ in range(6):
            clock.shift(datetime.timedelta(hours=5))
            flush_outbox()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("abandoned", 5)
    assert AuditEvent.objects.filter(action="notifications.delivery_abandoned").count() == 1
    page = client_as("admin").get(reverse("notifications:deliveries")).content.decode()
    assert immediate_staff.email in page and "Connection refused" in page
    assert "Failed, gave up" in page


def test_an_administrator_can_send_an_abandoned_email_again(
    immediate_staff, monkeypatch, client_as, mails, django_capture_on_commit_callbacks
):
    with monkeypatch.context() as m:
        _break_mail(m)
        _notify(immediate_staff)
        flush_outbox()
    Delivery.objects.update(status="abandoned", attempts=5, next_attempt_at=None)
    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("admin").post(
            reverse("notifications:delivery_retry", args=[delivery.pk]), follow=True)
    assert "will be sent again" in response.content.decode()
    assert len(mails(immediate_staff)) == 1
    assert AuditEvent.objects.filter(action="notifications.delivery_retried").exists()


def test_a_sent_email_cannot_be_sent_again_from_the_retry_button(immediate_staff, client_as,
                                                                 mails):
    _notify(immediate_staff)
    flush_outbox()
    delivery = Delivery.objects.get()
    response = client_as("admin").post(
        reverse("notifications:delivery_retry", args=[delivery.pk]), follow=True)
    assert "Only a failed email can be retried." in response.content.decode()
    assert len(mails()) == 1


def test_a_delivery_claimed_by_a_worker_that_died_is_sent_later(immediate_staff, mails):
    with time_machine.travel(START, tick=False) as clock:
        notification = _notify(immediate_staff)
        from notifications.services import notification_route

        delivery = notification_route(notification_id=notification.pk)
        Delivery.objects.filter(pk=delivery.pk).update(status="sending", claimed_at=START)
        assert flush_outbox() == 0
        clock.shift(datetime.timedelta(minutes=16))
        assert flush_outbox() == 1
    assert len(mails(immediate_staff)) == 1


def test_a_claimed_delivery_is_not_sent_by_a_second_worker(immediate_staff, mails):
    notification = _notify(immediate_staff)
    from notifications.services import notification_route

    delivery = notification_route(notification_id=notification.pk)
    assert delivery_send(delivery_id=delivery.pk) == 1
    assert delivery_send(delivery_id=delivery.pk) == 0
    assert len(mails()) == 1


def test_the_delivery_log_refuses_a_second_row_for_the_same_reminder(org):
    from django.db import IntegrityError

    Delivery.objects.create(recipient=org.staff, kind="ack.overdue", subject_type="x",
                            subject_id="1", period="week-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(recipient=org.staff, kind="ack.overdue", subject_type="x",
                                subject_id="1", period="week-1")


def test_notify_returns_none_for_a_repeat_so_callers_may_retry(org):
    assert _notify(org.staff) is not None
    assert _notify(org.staff) is None
    assert Notification.objects.count() == 1


@pytest.mark.parametrize("model", ["notification", "delivery", "preference"])
def test_administrators_can_look_through_the_records_in_the_django_admin(
    client_as, org, model
):
    _notify(org.staff)
    preferences_update(user=org.staff, choices={"policies": "portal"})
    flush_outbox()
    response = client_as("admin").get(reverse(f"admin:notifications_{model}_changelist"))
    assert response.status_code == 200


def test_the_django_admin_action_sends_failed_emails_again(
    immediate_staff, client_as, mails, monkeypatch, django_capture_on_commit_callbacks
):
    with monkeypatch.context() as m:
        _break_mail(m)
        _notify(immediate_staff)
        flush_outbox()
    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client_as("admin").post(reverse("admin:notifications_delivery_changelist"), {
            "action": "retry", "_selected_action": [delivery.pk]})
    assert len(mails(immediate_staff)) == 1
