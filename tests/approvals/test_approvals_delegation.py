"""A decider away names a deputy for a period; the deputy sees and decides, and it is recorded."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from approvals.models import Status
from approvals.selectors import waiting_for
from approvals.services import ApprovalError, delegation_create, delegation_end
from audit.models import AuditEvent
from tests.approvals.conftest import decide, make_monitoring, make_post, soon


def _delegate(org, deputy, days=7, start=0):
    today = timezone.localdate()
    return delegation_create(delegator=org.ceo, deputy=deputy,
                             starts_on=today + datetime.timedelta(days=start),
                             ends_on=today + datetime.timedelta(days=start + days),
                             reason="Annual leave")


def test_the_deputy_sees_the_absent_deciders_requests_in_their_queue(org):
    req = make_post(org.staff)
    assert not waiting_for(org.board)
    _delegate(org, org.board)
    [(item, acting)] = waiting_for(org.board)
    assert item.pk == req.pk
    assert acting == org.ceo


def test_the_deputys_decision_records_whom_they_acted_for(org):
    req = make_post(org.staff)
    _delegate(org, org.board)
    event = decide(req, org.board, reasons="Fine, on behalf of the CEO.")
    assert event.actor == org.board and event.on_behalf_of == org.ceo
    audit = AuditEvent.objects.for_object(req).get(action="approvals.approve")
    assert "as deputy for Chief Executive" in audit.summary


def test_a_deputy_can_open_the_request_while_the_delegation_is_in_force(client_as, org):
    req = make_post(org.outsider)
    url = reverse("approvals:detail", args=[req.pk])
    assert client_as("staff").get(url).status_code == 404
    delegation_create(delegator=org.ceo, deputy=org.staff,
                      starts_on=timezone.localdate(), ends_on=timezone.localdate())
    assert client_as("staff").get(url).status_code == 200


def test_a_principals_deputy_from_another_academy_is_refused_and_nothing_is_recorded(org):
    with pytest.raises(ApprovalError, match="work at their academy"):
        delegation_create(delegator=org.other_principal, deputy=org.staff,
                          starts_on=timezone.localdate(), ends_on=timezone.localdate())
    assert not AuditEvent.objects.filter(action="approvals.delegation_created").exists()
    assert not waiting_for(org.staff)


def test_a_principal_may_name_hr_as_deputy_whatever_their_academy(org):
    delegation = delegation_create(delegator=org.other_principal, deputy=org.hr,
                                   starts_on=timezone.localdate(), ends_on=timezone.localdate())
    assert delegation.deputy == org.hr


def test_a_delegation_not_yet_started_gives_nothing(org):
    req = make_post(org.staff, publish_at=soon(10))
    _delegate(org, org.board, start=3)
    with pytest.raises(ApprovalError):
        decide(req, org.board)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        decide(req, org.board)
    req.refresh_from_db()
    assert req.status == Status.APPROVED


def test_a_delegation_ended_early_stops_the_deputy(org):
    req = make_post(org.staff)
    delegation = _delegate(org, org.board)
    delegation_end(delegation=delegation, actor=org.ceo)
    assert not waiting_for(org.board)
    with pytest.raises(ApprovalError):
        decide(req, org.board)


def test_a_deputy_never_decides_their_own_request(org):
    req = make_post(org.manager)
    _delegate(org, org.manager)
    with pytest.raises(ApprovalError, match="your own request"):
        decide(req, org.manager)


def test_a_deputy_who_is_not_hr_or_the_ceo_does_not_see_monitoring(org, client_as):
    req = make_monitoring(org.manager, org.staff)
    _delegate(org, org.board)
    assert not waiting_for(org.board)
    with pytest.raises(ApprovalError):
        decide(req, org.board)
    assert client_as("board").get(
        reverse("approvals:detail", args=[req.pk])).status_code == 404


def test_only_the_ceo_or_a_principal_may_name_a_deputy(org):
    with pytest.raises(ApprovalError):
        delegation_create(delegator=org.hr, deputy=org.staff, starts_on=timezone.localdate(),
                          ends_on=timezone.localdate())


def test_naming_a_deputy_in_the_browser_is_recorded(client_as, org):
    today = timezone.localdate()
    response = client_as("ceo").post(reverse("approvals:delegations"), {
        "deputy": org.hr.pk, "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=3)).isoformat(), "reason": "Leave",
    })
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="approvals.delegation_created",
                                     actor=org.ceo).exists()
