"""Reminders the daily sweep sends, the home panels, the navigation badge and the demo."""

import datetime

import time_machine
from django.urls import reverse
from django.utils import timezone

from approvals.models import ApprovalRequest
from approvals.reminders import collect_reminders
from approvals.services import delegation_create
from tests.approvals.conftest import decide, make_exception, make_monitoring, make_post, soon


def _kinds_for(person, today):
    return {(r.kind, r.period) for r in collect_reminders(today) if r.recipient == person}


def test_deciders_and_the_requester_are_reminded_the_day_before_a_post_is_due(org):
    make_post(org.staff, publish_at=soon(1, 9))
    today = timezone.localdate()
    due = (today + datetime.timedelta(days=1)).isoformat()
    assert ("approvals.decision_due", f"due-{due}") in _kinds_for(org.principal, today)
    assert ("approvals.decision_due", f"due-{due}") in _kinds_for(org.ceo, today)
    assert ("approvals.post_expiring", f"expiring-{due}") in _kinds_for(org.staff, today)


def test_the_requester_is_warned_on_the_day_an_unapproved_post_will_expire(org):
    make_post(org.staff, publish_at=soon(1, 15))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with time_machine.travel(soon(1, 8)):
        kinds = _kinds_for(org.staff, tomorrow)
    assert ("approvals.post_expiring", f"expiring-{tomorrow.isoformat()}") in kinds


def test_an_overdue_exception_decision_is_chased_weekly(org):
    req = make_exception(org.staff)
    later = timezone.localtime(req.due_at).date() + datetime.timedelta(days=3)
    kinds = _kinds_for(org.manager, later)
    assert ("approvals.decision_overdue", f"overdue-{later:%G-W%V}") in kinds


def test_a_deputy_is_reminded_too(org):
    make_exception(org.staff)
    req = ApprovalRequest.objects.get()
    delegation_create(delegator=org.principal, deputy=org.colleague,
                      starts_on=timezone.localdate(),
                      ends_on=timezone.localdate() + datetime.timedelta(days=30))
    later = timezone.localtime(req.due_at).date() + datetime.timedelta(days=1)
    assert any(k == "approvals.decision_overdue" for k, _ in _kinds_for(org.colleague, later))


def test_an_exception_ending_within_a_week_is_announced_to_the_requester(org):
    req = make_exception(org.staff, days=5)
    decide(req, org.manager)
    req.refresh_from_db()
    kinds = _kinds_for(org.staff, timezone.localdate())
    assert ("approvals.ending_soon", f"ends-{req.valid_until.isoformat()}") in kinds


def test_a_monitoring_period_ending_soon_is_announced_to_the_requester_and_decider(org):
    req = make_monitoring(org.manager, org.staff, days=3)
    decide(req, org.ceo)
    today = timezone.localdate()
    assert any(k == "approvals.ending_soon" for k, _ in _kinds_for(org.manager, today))
    assert any(k == "approvals.ending_soon" for k, _ in _kinds_for(org.ceo, today))
    assert not _kinds_for(org.staff, today)


def test_an_approved_post_past_its_time_asks_for_the_published_link(org):
    req = make_post(org.staff, publish_at=soon(1, 9))
    decide(req, org.ceo)
    later = timezone.localdate() + datetime.timedelta(days=3)
    assert any(k == "approvals.record_publication" for k, _ in _kinds_for(org.staff, later))


def test_the_home_page_shows_what_is_waiting_for_my_decision(client_as, org):
    make_post(org.staff, title="Harvest festival")
    page = client_as("principal").get(reverse("home")).content.decode()
    assert "Waiting for my decision" in page and "Harvest festival" in page
    assert "Waiting for my decision" not in client_as("outsider").get(
        reverse("home")).content.decode()


def test_the_home_page_shows_my_requests(client_as, org):
    make_post(org.staff, title="Harvest festival")
    page = client_as("staff").get(reverse("home")).content.decode()
    assert "My requests" in page and "Harvest festival" in page


def test_the_navigation_counts_requests_waiting_for_me(client_as, org):
    make_post(org.staff)
    page = client_as("ceo").get(reverse("home")).content.decode()
    assert '(1 unread)' in page or ">1</span>" in page


def test_the_demo_seed_makes_requests_in_several_states_once(db):
    from accounts import demo as accounts_demo
    from approvals import demo

    accounts_demo.seed()
    demo.seed()
    states = set(ApprovalRequest.objects.values_list("status", flat=True))
    assert {"pending", "approved", "changes_requested"} <= states
    count = ApprovalRequest.objects.count()
    demo.seed()
    assert ApprovalRequest.objects.count() == count
