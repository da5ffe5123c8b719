"""Nobody decides their own request: refused by the service, not only hidden on the page."""

import pytest
from django.urls import reverse

from approvals.models import Status
from approvals.services import ApprovalError, request_submit
from audit.models import AuditEvent
from tests.approvals.conftest import decide, make_exception, make_post, post_submission


def test_a_principal_cannot_approve_their_own_post(org):
    req = make_post(org.principal)
    with pytest.raises(ApprovalError, match="your own request"):
        decide(req, org.principal)
    req.refresh_from_db()
    assert req.status == Status.PENDING


def test_a_principal_asking_for_a_device_exception_cannot_grant_it(org):
    req = make_exception(org.principal)
    with pytest.raises(ApprovalError, match="your own request"):
        decide(req, org.principal)
    decide(req, org.ceo)  # the CEO is the Principal's line manager


def test_a_forged_decision_post_by_the_requester_changes_nothing(client_as, org):
    req = make_post(org.principal)
    response = client_as("principal").post(reverse("approvals:decide", args=[req.pk]), {
        "outcome": "approve", "reasons": "Looks fine to me",
    }, follow=True)
    assert "cannot decide your own request" in response.content.decode()
    req.refresh_from_db()
    assert req.status == Status.PENDING
    assert not AuditEvent.objects.filter(action="approvals.approve").exists()


def test_the_requester_is_not_shown_a_decision_form(client_as, org):
    req = make_post(org.principal)
    page = client_as("principal").get(reverse("approvals:detail", args=[req.pk]))
    assert "Record decision" not in page.content.decode()
    assert "Record decision" in client_as("ceo").get(
        reverse("approvals:detail", args=[req.pk])).content.decode()


def test_a_request_nobody_else_can_decide_is_refused_at_once(org):
    with pytest.raises(ApprovalError, match="nobody other than you"):
        request_submit(kind="post", requester=org.ceo, submission=post_submission())


def test_a_decision_without_written_reasons_is_refused(org):
    req = make_post(org.staff)
    with pytest.raises(ApprovalError, match="Written reasons"):
        decide(req, org.ceo, reasons="  ")
