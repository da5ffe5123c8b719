"""Withdrawing, revoking, and configuring two-step routing."""

import pytest
from django.urls import reverse

from approvals.models import Status, TwoStepRule
from approvals.services import ApprovalError, request_revoke, request_withdraw
from audit.models import AuditEvent
from notifications.models import Notification
from tests.approvals.conftest import decide, make_exception, make_post


def test_the_requester_may_withdraw_a_waiting_request(client_as, org):
    req = make_post(org.staff)
    response = client_as("staff").post(reverse("approvals:withdraw", args=[req.pk]),
                                        {"reasons": "No longer needed"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.WITHDRAWN


def test_nobody_else_may_withdraw_a_request(org):
    req = make_post(org.staff)
    with pytest.raises(ApprovalError):
        request_withdraw(req=req, actor=org.principal)


def test_a_decider_revokes_an_exception_in_force_and_the_requester_is_told(client_as, org):
    req = make_exception(org.staff)
    decide(req, org.manager)
    response = client_as("manager").post(reverse("approvals:revoke", args=[req.pk]),
                                         {"reasons": "Used in front of pupils."})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.REVOKED
    assert Notification.objects.filter(recipient=org.staff, kind="approvals.revoke").exists()
    register = client_as("principal").get(reverse("approvals:register")).content.decode()
    assert req.reference not in register


def test_the_requester_cannot_revoke_and_neither_can_an_unrelated_colleague(org):
    req = make_exception(org.staff)
    decide(req, org.manager)
    for person in (org.staff, org.colleague, org.other_principal):
        with pytest.raises(ApprovalError):
            request_revoke(req=req, actor=person, reasons="Because")


def test_the_ceo_adds_a_two_step_rule_in_the_browser_and_it_is_audited(client_as, org):
    response = client_as("ceo").post(reverse("approvals:routing"),
                                     {"academy": org.academy.pk, "account": ""})
    assert response.status_code == 302
    assert TwoStepRule.objects.filter(academy=org.academy).exists()
    assert AuditEvent.objects.filter(action="approvals.routing_rule_added").exists()
    assert make_post(org.staff).steps == 2


def test_a_rule_naming_nothing_is_refused_with_a_message(client_as, org):
    response = client_as("ceo").post(reverse("approvals:routing"), {"academy": "",
                                                                    "account": " "})
    assert response.status_code == 200
    assert "Choose an academy, name an account, or both." in response.content.decode()
    assert not TwoStepRule.objects.exists()


def test_an_edit_of_an_approved_post_in_the_browser_warns_it_reopens(client_as, org):
    req = make_post(org.staff)
    decide(req, org.ceo)
    page = client_as("staff").get(reverse("approvals:edit", args=[req.pk])).content.decode()
    assert "Changing it reopens the request" in page


def test_nobody_but_the_requester_may_open_the_edit_page(client_as, org):
    req = make_post(org.staff)
    decide(req, org.ceo, "ask_changes", reasons="Shorter")
    assert client_as("principal").get(
        reverse("approvals:edit", args=[req.pk])).status_code == 404
