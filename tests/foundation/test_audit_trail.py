import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from audit.models import AuditEvent, AuditLogImmutable
from audit.services import audit_log


@pytest.fixture
def event(org):
    return audit_log(action="accounts.person_updated", actor=org.hr, obj=org.staff,
                     summary="Changed job title")


def test_an_event_cannot_be_changed_through_the_application(event):
    event.summary = "rewritten"
    with pytest.raises(AuditLogImmutable):
        event.save()
    with pytest.raises(AuditLogImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")


def test_an_event_cannot_be_deleted_through_the_application(event):
    with pytest.raises(AuditLogImmutable):
        event.delete()
    with pytest.raises(AuditLogImmutable):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("sql", [
    "UPDATE audit_auditevent SET summary = 'forged'",
    "DELETE FROM audit_auditevent",
])
def test_the_database_refuses_raw_edits_and_deletes_on_postgresql(postgres_only, event, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).summary == "Changed job title"


def test_hr_can_filter_the_trail_by_person(client_as, event, org):
    response = client_as("hr").get(reverse("audit:event_list"), {"q": org.staff.full_name})
    assert "Changed job title" in response.content.decode()
    response = client_as("hr").get(reverse("audit:event_list"), {"q": "nobody-like-this"})
    assert "Changed job title" not in response.content.decode()


def test_signing_in_is_recorded_with_the_ip_address(org):
    from django.test import Client

    Client(REMOTE_ADDR="10.1.2.3").post(
        reverse("account_login"), {"login": org.staff.email, "password": "correct-horse-battery"}
    )
    login = AuditEvent.objects.get(action="accounts.login")
    assert login.actor == org.staff and login.ip_address == "10.1.2.3"


def test_an_administrator_does_not_see_breach_case_events_in_the_trail(client_as, org):
    audit_log(action="breaches.case_viewed", actor=org.principal, summary="Case C-0001")
    assert "C-0001" not in client_as("admin").get(reverse("audit:event_list")).content.decode()
    assert "C-0001" in client_as("hr").get(reverse("audit:event_list")).content.decode()


def test_only_hr_and_the_ceo_see_monitoring_request_events_in_the_trail(client_as, org):
    import datetime

    from django.utils import timezone

    from approvals import services
    from approvals.models import Kind

    start = timezone.localdate()
    services.request_submit(kind=Kind.MONITORING, requester=org.manager,
                            submission=services.Submission(
        title="Monitor Zed", text="Reports of misuse.",
        content={"subject": {"id": org.staff.pk, "name": org.staff.full_name},
                 "foundation": "Two written reports", "scope": "Social media on the network",
                 "start": start.isoformat(), "days": 14, "presentation": ""},
        columns={"subject_person": org.staff, "valid_from": start,
                 "valid_until": start + datetime.timedelta(days=13)},
    ))
    assert "Monitor Zed" in client_as("ceo").get(reverse("audit:event_list")).content.decode()
    assert "Monitor Zed" not in client_as("admin").get(reverse("audit:event_list")).content.decode()
