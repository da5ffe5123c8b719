"""Time passes: undecided posts expire; exceptions and monitoring end by themselves."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from approvals.models import Status
from approvals.services import ApprovalError, requests_end, requests_expire
from approvals.tasks import expire_and_end
from notifications.models import Notification
from tests.approvals.conftest import decide, make_exception, make_monitoring, make_post, soon

LONDON = timezone.get_default_timezone()


def at(day: datetime.date, hour: int = 12):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


def test_a_post_not_decided_before_its_time_expires_and_the_requester_is_told(org):
    req = make_post(org.staff, publish_at=soon(1, 9))
    with time_machine.travel(soon(1, 9) + datetime.timedelta(minutes=1)):
        expire_and_end.delay()
    req.refresh_from_db()
    assert req.status == Status.EXPIRED
    assert Notification.objects.filter(recipient=org.staff, kind="approvals.expire").exists()


def test_a_post_cannot_be_approved_once_its_time_has_passed(org):
    req = make_post(org.staff, publish_at=soon(1, 9))
    with time_machine.travel(soon(1, 10)):
        with pytest.raises(ApprovalError):
            decide(req, org.ceo)


def test_an_approved_post_does_not_expire(org):
    req = make_post(org.staff, publish_at=soon(1, 9))
    decide(req, org.ceo)
    with time_machine.travel(soon(2)):
        assert requests_expire() == []
    req.refresh_from_db()
    assert req.status == Status.APPROVED


def test_a_device_exception_ends_the_day_after_its_last_day(org):
    req = make_exception(org.staff, days=10)
    decide(req, org.manager)
    req.refresh_from_db()
    last_day = req.valid_until
    with time_machine.travel(at(last_day, 23)):
        assert requests_end() == []
    with time_machine.travel(at(last_day + datetime.timedelta(days=1), 0)):
        assert [r.pk for r in requests_end()] == [req.pk]
    req.refresh_from_db()
    assert req.status == Status.ENDED
    assert not req.is_in_force
    assert Notification.objects.filter(recipient=org.staff, kind="approvals.end").exists()


def test_an_approved_monitoring_period_ends_and_the_requester_and_it_contact_are_told(
        org, settings, django_capture_on_commit_callbacks):
    settings.APPROVALS_IT_CONTACT_EMAIL = "it@colwyn.example"
    req = make_monitoring(org.manager, org.staff, days=7)
    with django_capture_on_commit_callbacks(execute=True):
        decide(req, org.ceo, reasons="Sufficient reason and foundation.")
    assert "Monitoring approved" in mail.outbox[-1].subject
    assert mail.outbox[-1].to == ["it@colwyn.example"]
    req.refresh_from_db()
    with time_machine.travel(at(req.valid_until + datetime.timedelta(days=1), 6)):
        with django_capture_on_commit_callbacks(execute=True):
            expire_and_end.delay()
    req.refresh_from_db()
    assert req.status == Status.ENDED
    assert Notification.objects.filter(recipient=org.manager, kind="approvals.end").exists()
    assert "must stop now" in mail.outbox[-1].subject
    assert mail.outbox[-1].to == ["it@colwyn.example"]


def test_a_pending_exception_does_not_end(org):
    make_exception(org.staff, days=1)
    with time_machine.travel(at(timezone.localdate() + datetime.timedelta(days=5))):
        assert requests_end() == []


def test_an_expired_post_can_be_asked_for_again_with_a_new_time(org):
    from approvals.services import request_resubmit
    from tests.approvals.conftest import post_submission

    req = make_post(org.staff, publish_at=soon(1, 9))
    with time_machine.travel(soon(1, 10)):
        requests_expire()
        request_resubmit(req=req, actor=org.staff,
                         submission=post_submission(publish_at=soon(5, 9)))
    req.refresh_from_db()
    assert req.status == Status.PENDING
