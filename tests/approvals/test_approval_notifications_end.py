"""A notification that asks for action ends when the action is taken; only what is urgent is
tagged "Urgent"; the home page says "Approved with conditions" where so."""

from django.urls import reverse

from core.models import OutboxMessage
from notifications.models import Notification
from notifications.services import flush_outbox
from tests.approvals.conftest import decide, make_exception, make_post


def _waiting(person):
    return Notification.objects.filter(recipient=person, kind="approvals.waiting")


def test_waiting_for_a_decision_is_asked_of_both_the_principal_and_the_ceo(org):
    make_post(org.staff)
    assert _waiting(org.principal).filter(read_at__isnull=True).count() == 1
    assert _waiting(org.ceo).filter(read_at__isnull=True).count() == 1


def test_once_the_ceo_decides_the_principal_is_no_longer_waiting_either(client_as, org):
    req = make_post(org.staff)
    decide(req, org.ceo)
    assert not _waiting(org.principal).filter(read_at__isnull=True).exists()
    assert not _waiting(org.ceo).filter(read_at__isnull=True).exists()
    page = client_as("principal").get(reverse("notifications:list")).content.decode()
    assert f"Waiting for your decision: {req.title}" not in page


def test_once_the_principal_asks_for_changes_the_ceo_is_no_longer_waiting(org):
    req = make_post(org.staff)
    decide(req, org.principal, outcome="ask_changes", reasons="Shorter, please.")
    assert not _waiting(org.ceo).filter(read_at__isnull=True).exists()


def test_a_decided_request_is_not_in_tomorrows_summary_email(org, settings):
    settings.EMAIL_BACKEND = "core.mail.OutboxEmailBackend"
    req = make_post(org.staff)
    flush_outbox()  # routed to the daily summary (the default for approvals)
    decide(req, org.principal)
    waiting = _waiting(org.ceo).get()
    assert waiting.email_state == Notification.EmailState.NONE


def test_an_approval_is_not_tagged_urgent_but_is_still_emailed_at_once(org, settings):
    settings.EMAIL_BACKEND = "core.mail.OutboxEmailBackend"
    req = make_post(org.staff)
    decide(req, org.principal)
    told = Notification.objects.get(recipient=org.staff, kind="approvals.approve")
    assert told.urgent is False
    flush_outbox()
    assert OutboxMessage.objects.filter(to=org.staff.email, subject__contains="Approved").exists()


def test_a_revoked_exception_is_urgent(org):
    req = make_exception(org.staff)
    decide(req, org.principal)
    from approvals import services

    services.request_revoke(req=req, actor=org.principal, reasons="No longer needed.")
    assert Notification.objects.get(recipient=org.staff, kind="approvals.revoke").urgent


def test_the_home_page_says_approved_with_conditions_where_so(client_as, org):
    req = make_post(org.staff)
    decide(req, org.principal, outcome="approve_with_conditions",
           conditions="No faces of pupils.")
    page = client_as("staff").get(reverse("home")).content.decode()
    assert "Approved with conditions" in page
    assert req.title in page
