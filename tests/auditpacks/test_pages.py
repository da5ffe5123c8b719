"""The audit pack pages: asking for a pack, watching it, downloading it, and who may."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from auditpacks import services
from auditpacks.models import Pack
from tests.auditpacks.conftest import build_policy_pack, pdf_text


def ask(client, version, django_capture_on_commit_callbacks, **extra):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("auditpacks:index"),
                           {"subject": f"version:{version.pk}", **extra})


def test_hr_asks_for_a_pack_and_it_is_built_in_the_background(
    client_as, versions, django_capture_on_commit_callbacks
):
    response = ask(client_as("hr"), versions[1], django_capture_on_commit_callbacks)
    pack = Pack.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("auditpacks:detail", args=[pack.document_id])
    assert pack.status == Pack.Status.READY and pack.progress == 100
    assert pack.file_path.exists()


def test_the_request_page_never_waits_for_the_build(client_as, versions):
    client_as("hr").post(reverse("auditpacks:index"), {"subject": f"version:{versions[1].pk}"})
    pack = Pack.objects.get()
    assert pack.status == Pack.Status.QUEUED and not pack.file_name


def test_a_period_that_ends_before_it_starts_is_refused(client_as, versions):
    response = client_as("hr").post(reverse("auditpacks:index"), {
        "subject": f"version:{versions[1].pk}", "date_from": "2026-05-01",
        "date_to": "2026-04-01"})
    assert "The end of the period must be on or after its start." in response.content.decode()
    assert not Pack.objects.exists()


def test_the_progress_page_polls_while_the_pack_is_being_built(org, client_as, versions):
    pack = services.pack_request_policy(actor=org.hr, version=versions[1], queue=False)
    Pack.objects.filter(pk=pack.pk).update(status="running", progress=40,
                                           progress_message="Laying out the pages")
    client = client_as("hr")
    page = client.get(reverse("auditpacks:detail", args=[pack.document_id])).content.decode()
    fragment = client.get(reverse("auditpacks:detail", args=[pack.document_id]),
                          headers={"HX-Request": "true"}).content.decode()
    assert '<meta http-equiv="refresh" content="5">' in page  # inside <noscript>
    assert 'hx-trigger="every 2s"' in fragment and "Laying out the pages" in fragment
    assert "<html" not in fragment


def test_the_progress_stops_polling_and_offers_the_download_when_ready(org, client_as, versions):
    pack = build_policy_pack(org.hr, versions[1])
    fragment = client_as("hr").get(reverse("auditpacks:detail", args=[pack.document_id]),
                                   headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment
    assert reverse("auditpacks:download", args=[pack.document_id]) in fragment


def test_a_download_gives_the_pdf_and_is_recorded(org, client_as, versions):
    pack = build_policy_pack(org.hr, versions[1])
    response = client_as("ceo").get(reverse("auditpacks:download", args=[pack.document_id]))
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    assert f"{pack.document_id}.pdf" in response["Content-Disposition"]
    assert pack.document_id in pdf_text(body)
    event = AuditEvent.objects.get(action="auditpacks.pack_downloaded")
    assert event.actor == org.ceo and event.object_id == str(pack.pk)


@pytest.mark.parametrize("role", ["staff", "manager", "principal", "board", "outsider"])
def test_people_who_may_not_make_policy_packs_cannot_see_or_download_one(
    org, client_as, versions, role
):
    pack = build_policy_pack(org.hr, versions[1])
    client = client_as(role)
    assert client.get(reverse("auditpacks:detail", args=[pack.document_id])).status_code == 404
    assert client.get(reverse("auditpacks:download", args=[pack.document_id])).status_code == 404
    assert not AuditEvent.objects.filter(action="auditpacks.pack_downloaded").exists()


@pytest.mark.parametrize("role", ["staff", "manager", "principal", "outsider"])
def test_people_who_may_not_make_policy_packs_cannot_open_the_audit_pack_page(client_as, role):
    assert client_as(role).get(reverse("auditpacks:index")).status_code == 403


def test_the_board_is_sent_from_audit_packs_to_the_verify_page(client_as):
    response = client_as("board").get(reverse("auditpacks:index"))
    assert response.status_code == 302 and response["Location"] == reverse("auditpacks:verify")


def test_signed_out_visitors_are_sent_to_sign_in(client_as, db):
    response = client_as("anonymous").get(reverse("auditpacks:index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role,shown", [("hr", True), ("ceo", True), ("admin", True),
                                        ("board", False), ("staff", False)])
def test_the_audit_packs_link_is_in_the_navigation_for_hr_ceo_and_admin(client_as, role, shown):
    body = client_as(role).get(reverse("home")).content.decode()
    assert (f'href="{reverse("auditpacks:index")}"' in body) is shown


def test_a_failed_build_says_so_and_can_be_tried_again(
    org, client_as, versions, monkeypatch, django_capture_on_commit_callbacks
):
    from auditpacks import build

    def broken(pack, progress):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build, "build_policy_pack", broken)
    pack = build_policy_pack(org.hr, versions[1])
    assert pack.status == Pack.Status.FAILED
    client = client_as("hr")
    page = client.get(reverse("auditpacks:detail", args=[pack.document_id])).content.decode()
    assert "could not be built (RuntimeError)" in page and "Try again" in page
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("auditpacks:retry", args=[pack.document_id]))
    pack.refresh_from_db()
    assert pack.status == Pack.Status.READY


def test_a_pack_is_built_only_once_even_if_two_workers_pick_it_up(org, versions):
    pack = build_policy_pack(org.hr, versions[1])
    assert services.pack_build(pack_id=pack.pk) is None
    assert AuditEvent.objects.filter(action="auditpacks.pack_built").count() == 1


def test_files_are_deleted_after_the_keep_period_and_the_record_stays(org, versions, settings):
    settings.AUDIT_PACK_RETENTION_DAYS = 7
    pack = build_policy_pack(org.hr, versions[1])
    path = pack.file_path
    assert pack.expires_at.date() == (timezone.now() + datetime.timedelta(days=7)).date()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=6)):
        assert services.packs_cleanup() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        assert services.packs_cleanup() == 1
    pack.refresh_from_db()
    assert not path.exists() and pack.status == Pack.Status.EXPIRED
    assert AuditEvent.objects.filter(action="auditpacks.pack_expired").exists()


def test_an_expired_pack_cannot_be_downloaded(org, client_as, versions):
    pack = build_policy_pack(org.hr, versions[1])
    pack.file_path.unlink()
    Pack.objects.filter(pk=pack.pk).update(status="expired")
    response = client_as("hr").get(reverse("auditpacks:download", args=[pack.document_id]),
                                   follow=True)
    assert "has no file to download" in response.content.decode()


def test_the_audit_pack_command_writes_the_pdf(org, versions, tmp_path):
    out = tmp_path / "pack.pdf"
    stdout = io.StringIO()
    call_command("audit_pack", "--policy", "social-media", "--version", "2025-09",
                 "--out", str(out), stdout=stdout, stderr=io.StringIO())
    pack = Pack.objects.get()
    assert f"Document ID {pack.document_id}" in stdout.getvalue()
    assert pack.requested_by == org.hr
    assert "The Principal tells HR within one day." in pdf_text(out.read_bytes())


def test_the_audit_pack_command_names_the_versions_it_knows(org, versions, tmp_path):
    with pytest.raises(CommandError, match="known: 2025-09, 2023-09|known: 2023-09, 2025-09"):
        call_command("audit_pack", "--policy", "social-media", "--version", "1999",
                     "--out", str(tmp_path / "x.pdf"))


def test_the_person_who_asked_is_told_when_the_pack_is_ready(org, versions):
    from notifications.models import Notification

    pack = build_policy_pack(org.hr, versions[1])
    note = Notification.objects.get(recipient=org.hr, kind="auditpacks.pack_ready")
    assert note.title == "Your policy audit pack is ready: Social Media Policy 2025-09"
    assert note.url == reverse("auditpacks:detail", args=[pack.document_id])
