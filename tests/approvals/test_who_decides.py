"""Who may decide, revoke or stand in for a decider: one rule (approvals.routing.Router),
the same in the service, the queue, the request page and the notifications."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import Status
from approvals.routing import Router
from approvals.selectors import waiting_for
from approvals.services import ApprovalError, delegation_create, request_revoke
from notifications.models import Notification
from tests.approvals.conftest import decide, make_exception, make_monitoring, make_post


def _deputy(delegator, deputy):
    today = timezone.localdate()
    return delegation_create(delegator=delegator, deputy=deputy, starts_on=today,
                             ends_on=today + datetime.timedelta(days=7), reason="Leave")


def _asked(req, person) -> bool:
    return Notification.objects.filter(recipient=person, kind="approvals.waiting",
                                       about_id=str(req.pk)).exists()


def test_hr_may_stand_in_for_the_ceo_on_a_monitoring_request(org):
    req = make_monitoring(org.manager, org.staff)
    _deputy(org.ceo, org.hr)
    assert Router().acting_for(org.hr, req) == org.ceo
    event = decide(req, org.hr, reasons="Sufficient foundation.")
    assert event.on_behalf_of == org.ceo


def test_a_deputy_who_is_not_hr_or_the_ceo_cannot_decide_monitoring(org):
    req = make_monitoring(org.manager, org.staff)
    _deputy(org.ceo, org.board)
    assert Router().acting_for(org.board, req) is None
    with pytest.raises(ApprovalError, match="not the person who decides"):
        decide(req, org.board)


def test_a_deputy_who_is_not_hr_or_the_ceo_is_not_asked_to_decide_monitoring(org):
    _deputy(org.ceo, org.board)
    req = make_monitoring(org.manager, org.staff)
    assert _asked(req, org.ceo)
    assert not _asked(req, org.board)
    assert org.board not in Router().asked(req)


def test_a_deputy_is_asked_to_decide_what_they_may_decide(org):
    _deputy(org.ceo, org.board)
    req = make_post(org.staff)
    assert _asked(req, org.board)
    assert [item.pk for item, _ in waiting_for(org.board)] == [req.pk]


def test_the_requester_is_never_asked_to_decide_their_own_request_even_as_a_deputy(org):
    _deputy(org.ceo, org.manager)
    req = make_post(org.manager)
    assert not _asked(req, org.manager)
    assert Router().acting_for(org.manager, req) is None
    assert waiting_for(org.manager) == []


def test_the_requester_never_revokes_their_own_exception_even_as_a_deputy(org):
    req = make_exception(org.staff)
    decide(req, org.manager)
    _deputy(org.principal, org.staff)
    assert Router().revoking_for(org.staff, req) is None
    with pytest.raises(ApprovalError, match="your own request"):
        request_revoke(req=req, actor=org.staff, reasons="Changed my mind")


def test_the_decider_at_the_last_step_may_revoke_what_another_decider_approved(org):
    req = make_exception(org.staff)
    decide(req, org.manager)
    event = request_revoke(req=req, actor=org.principal, reasons="Used in front of pupils.")
    assert event.on_behalf_of is None
    req.refresh_from_db()
    assert req.status == Status.REVOKED and req.decided_by == org.principal


def test_the_deciders_deputy_may_revoke_and_it_records_whom_they_acted_for(org, client_as):
    req = make_exception(org.principal)  # the Principal's line manager decides: the CEO
    decide(req, org.ceo)
    _deputy(org.ceo, org.hr)
    page = client_as("hr").get(reverse("approvals:detail", args=[req.pk])).content.decode()
    assert reverse("approvals:revoke", args=[req.pk]) in page
    event = request_revoke(req=req, actor=org.hr, reasons="No longer needed.")
    assert event.actor == org.hr and event.on_behalf_of == org.ceo


def test_a_deputy_who_is_not_hr_or_the_ceo_cannot_revoke_monitoring(org):
    req = make_monitoring(org.manager, org.staff)
    decide(req, org.ceo)
    _deputy(org.ceo, org.board)
    assert Router().revoking_for(org.board, req) is None
    with pytest.raises(ApprovalError, match="Only the person who may decide"):
        request_revoke(req=req, actor=org.board, reasons="Stop it")
