"""The requester sees the decision, its reasons and conditions, and records publication."""

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import Status
from approvals.services import ApprovalError, publication_record
from notifications.models import Notification
from tests.approvals.conftest import decide, make_media, make_post


def test_conditions_are_shown_to_the_requester(client_as, org):
    req = make_post(org.staff)
    decide(req, org.ceo, "approve_with_conditions", reasons="Good news story.",
           conditions="Do not tag parents.")
    page = client_as("staff").get(reverse("approvals:detail", args=[req.pk])).content.decode()
    assert "Conditions you must follow" in page
    assert "Do not tag parents." in page


def test_the_requester_is_told_of_the_decision_with_its_conditions(org):
    req = make_post(org.staff)
    decide(req, org.ceo, "approve_with_conditions", reasons="Good.", conditions="No names.")
    note = Notification.objects.get(recipient=org.staff, kind="approvals.approve_with_conditions")
    assert "No names." in note.body


def test_the_decider_is_told_a_request_is_waiting(org):
    req = make_post(org.staff)
    assert Notification.objects.filter(recipient=org.principal, kind="approvals.waiting",
                                       about_id=str(req.pk)).exists()


def test_a_media_requester_is_told_not_to_respond_until_approved(client_as, org):
    req = make_media(org.staff)
    page = client_as("staff").get(reverse("approvals:detail", args=[req.pk])).content.decode()
    assert "Do not respond to Sam Reid yet" in page
    decide(req, org.ceo, response="No comment at this time.")
    page = client_as("staff").get(reverse("approvals:detail", args=[req.pk])).content.decode()
    assert "Do not respond" not in page
    assert "No comment at this time." in page


def test_recording_publication_as_approved_keeps_the_link(client_as, org):
    req = make_post(org.staff)
    decide(req, org.ceo)
    response = client_as("staff").post(reverse("approvals:publication", args=[req.pk]), {
        "url": "https://facebook.com/north/posts/1",
        "published_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "as_approved": "yes",
    })
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.PUBLISHED
    assert req.published_url == "https://facebook.com/north/posts/1"


def test_a_post_published_differently_must_be_resubmitted(org):
    req = make_post(org.staff)
    decide(req, org.ceo)
    publication_record(req=req, actor=org.staff, url="https://x.com/n/1",
                       published_at=timezone.now(), as_approved=False,
                       differences="Added a second photo.")
    req.refresh_from_db()
    assert req.status == Status.CHANGES_REQUESTED
    assert req.approved_hash == ""
    assert req.published_as_approved is False


def test_only_the_requester_records_publication(org):
    req = make_post(org.staff)
    decide(req, org.ceo)
    with pytest.raises(ApprovalError):
        publication_record(req=req, actor=org.ceo, url="https://x.com/1",
                           published_at=timezone.now(), as_approved=True)


def test_publication_cannot_be_recorded_before_approval(org):
    req = make_post(org.staff)
    with pytest.raises(ApprovalError):
        publication_record(req=req, actor=org.staff, url="https://x.com/1",
                           published_at=timezone.now(), as_approved=True)


def test_every_decision_is_in_the_audit_trail(org):
    from audit.models import AuditEvent

    req = make_post(org.staff)
    decide(req, org.ceo, "refuse", reasons="Off message.")
    event = AuditEvent.objects.for_object(req).get(action="approvals.refuse")
    assert event.actor == org.ceo
    assert "Off message." in event.summary
