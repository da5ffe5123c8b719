"""verify_pack and the "Verify a pack" page check a PDF against the database."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from audit.models import AuditEvent
from tests.auditpacks.conftest import acknowledge, build_policy_pack


@pytest.fixture
def pack_file(org, roster, tmp_path):
    pack = build_policy_pack(org.hr, roster)
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack.file_path.read_bytes())
    return pack, path


def verify(path) -> str:
    out = io.StringIO()
    call_command("verify_pack", str(path), stdout=out)
    return out.getvalue()


def test_verify_pack_accepts_a_fresh_pack(pack_file):
    pack, path = pack_file
    output = verify(path)
    assert f"Document ID: {pack.document_id}" in output
    assert "OK: This pack is genuine and still matches the portal's records." in output


def test_verify_pack_rejects_a_pack_after_an_acknowledgement_row_changes(org, pack_file):
    from acknowledgements.models import Assignment

    _, path = pack_file
    Assignment.objects.filter(person=org.staff, version__label="2025-09").update(
        acknowledged_at="2026-01-01T09:00:00Z")
    with pytest.raises(CommandError, match="no longer matches"):
        verify(path)


def test_verify_pack_rejects_a_pack_after_someone_else_acknowledges(org, roster, pack_file):
    _, path = pack_file
    acknowledge(org.manager, roster)
    with pytest.raises(CommandError, match="no longer matches"):
        verify(path)


def test_verify_pack_rejects_a_pack_when_an_acknowledgement_record_was_tampered_with(
    org, pack_file
):
    _, path = pack_file
    with connection.cursor() as cursor:  # someone with database access disables the guard
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off
        else:
            cursor.execute("DROP TRIGGER acknowledgement_append_only")
        cursor.execute("UPDATE acknowledgements_acknowledgement SET method = 'email_link' "
                       "WHERE person_id = %s", [org.staff.pk])
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_pack", str(path), stdout=out)
    assert "tampered with" in out.getvalue()


def test_the_document_id_and_hashes_are_read_from_the_text_when_metadata_is_stripped(pack_file):
    pack, path = pack_file
    reader, writer = PdfReader(str(path)), PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    stripped = io.BytesIO()
    writer.write(stripped)
    path.write_bytes(stripped.getvalue())
    out = io.StringIO()
    with pytest.raises(CommandError):  # re-saved: no longer the issued bytes
        call_command("verify_pack", str(path), stdout=out)
    output = out.getvalue()
    assert f"Document ID: {pack.document_id}" in output
    assert "not byte-for-byte the one the portal issued" in output
    assert "CHANGED" not in output  # every input hash was read back from the text and matches


def test_a_pdf_that_is_not_a_pack_is_rejected(tmp_path, db):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    path = tmp_path / "other.pdf"
    with open(path, "wb") as handle:
        writer.write(handle)
    with pytest.raises(CommandError, match="could not be matched"):
        verify(path)


def test_a_file_that_is_not_a_pdf_gets_a_clear_error(tmp_path, db):
    path = tmp_path / "notes.pdf"
    path.write_text("hello")
    with pytest.raises(CommandError, match="not a readable PDF"):
        verify(path)


def test_the_verify_page_says_a_fresh_pack_matches_and_records_the_check(client_as, pack_file):
    pack, path = pack_file
    response = client_as("board").post(reverse("auditpacks:verify"), {
        "file": SimpleUploadedFile("pack.pdf", path.read_bytes(), "application/pdf")})
    assert response.status_code == 200
    assert "Matches: This pack is genuine" in response.content.decode()
    assert AuditEvent.objects.filter(action="auditpacks.pack_verified",
                                     object_id=str(pack.pk)).exists()


def test_the_verify_page_says_which_input_changed(org, client_as, pack_file):
    from acknowledgements.models import Assignment

    _, path = pack_file
    Assignment.objects.filter(person=org.staff).update(acknowledged_at="2026-01-01T09:00:00Z")
    response = client_as("hr").post(reverse("auditpacks:verify"), {
        "file": SimpleUploadedFile("pack.pdf", path.read_bytes(), "application/pdf")})
    body = response.content.decode()
    assert "Does not match" in body
    assert "Acknowledgement roster has changed since the pack was built." in body


@pytest.mark.parametrize("role", ["staff", "manager", "principal"])
def test_people_without_the_verify_permission_cannot_open_the_verify_page(client_as, role):
    assert client_as(role).get(reverse("auditpacks:verify")).status_code == 403
