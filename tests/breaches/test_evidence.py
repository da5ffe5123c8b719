import pytest
from django.urls import reverse
from django.utils import timezone

from breaches.evidence import check_name, store_upload
from breaches.models import Case, Evidence
from core.uploads import UploadRejected
from tests.breaches.conftest import PNG_BYTES, raw_upload, upload

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def _form(**extra):
    return {"concerned_kind": "unknown", "concerned_description": "@someone",
            "platform": "instagram", "seen_at": "2026-11-20T18:30",
            "description": "A post.", "identity": "named", **extra}


def test_a_windows_program_named_like_a_screenshot_is_refused():
    with pytest.raises(UploadRejected, match="Windows program"):
        store_upload(upload("holiday.png", EXE))


def test_a_file_whose_contents_do_not_match_its_extension_is_refused():
    with pytest.raises(UploadRejected, match="contents are a PDF"):
        store_upload(upload("screenshot.png", b"%PDF-1.7\n..."))


def test_a_file_larger_than_the_limit_is_refused(settings):
    settings.MAX_UPLOAD_BYTES = 1000
    with pytest.raises(UploadRejected, match="limit"):
        store_upload(upload("big.png", PNG_BYTES + b"\x00" * 2000))


@pytest.mark.parametrize("name", ["../../etc/passwd.png", "..\\..\\boot.png", "a\x00b.png",
                                  ".hidden.png", "con.png", "shot.exe", "no-extension",
                                  "what?.png", ""])
def test_bad_or_path_traversal_names_are_refused(name):
    with pytest.raises(UploadRejected):
        store_upload(raw_upload(name, PNG_BYTES))


@pytest.mark.parametrize("name,content,label", [
    ("s.png", PNG_BYTES, "PNG image"),
    ("s.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
    ("s.gif", b"GIF89a\x01\x00\x01\x00", "GIF image"),
    ("s.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 ", "WebP image"),
    ("s.pdf", b"%PDF-1.4\n%", "PDF document"),
    ("page.html", b"<!DOCTYPE html><html><body>post</body></html>", "Saved web page"),
    ("page.mhtml", b"From: <Saved by Blink>\r\nMIME-Version: 1.0\r\nContent-Type: "
                   b"multipart/related;\r\n", "Saved web page (MHTML)"),
])
def test_screenshots_pdfs_and_saved_pages_are_accepted_by_their_bytes(name, content, label):
    stored = store_upload(upload(name, content, "application/octet-stream"))
    assert stored.kind.label == label


def test_a_stored_file_gets_a_random_name_under_private_storage(private_storage):
    stored = store_upload(upload("my photo.png", PNG_BYTES))
    path = private_storage / "breaches" / stored.stored_name
    assert path.read_bytes() == PNG_BYTES
    assert "photo" not in stored.stored_name
    assert stored.original_name == "my photo.png"


def test_an_ordinary_name_with_spaces_and_accents_is_kept():
    assert check_name("Capture d’écran 2026-11-20 à 18.30.png")


def test_the_report_form_refuses_a_disguised_program_and_keeps_the_draft(client_as, org):
    client = client_as("staff")
    response = client.post(reverse("breaches:report_new"), {
        **_form(), "action": "submit", "evidence_file": upload("cat.png", EXE)})
    assert response.status_code == 200
    assert "Windows program" in response.content.decode()
    assert not Case.objects.exists()
    assert not Evidence.objects.exists()
    assert org.staff.breach_drafts.get().data["description"] == "A post."


def test_the_report_form_refuses_an_oversized_file(client_as, settings):
    settings.MAX_UPLOAD_BYTES = 100
    response = client_as("staff").post(reverse("breaches:report_new"), {
        **_form(), "action": "submit",
        "evidence_file": upload("big.png", PNG_BYTES + b"\x00" * 500)})
    assert "the limit is" in response.content.decode()
    assert not Case.objects.exists()


def test_the_report_form_refuses_a_bad_file_name(client_as):
    response = client_as("staff").post(reverse("breaches:report_new"), {
        **_form(), "action": "submit", "evidence_file": upload('shot|"1".png', PNG_BYTES)})
    assert "not allowed" in response.content.decode()
    assert not Case.objects.exists()


def test_cyberbullying_evidence_needs_time_date_and_place(client_as):
    response = client_as("staff").post(reverse("breaches:report_new"), {
        **_form(cyberbullying="on"), "action": "submit",
        "evidence_file": upload("s.png", PNG_BYTES)})
    assert "For cyber-bullying give the date and time" in response.content.decode()
    assert not Case.objects.exists()


def test_cyberbullying_evidence_keeps_time_date_and_place(client_as):
    client_as("staff").post(reverse("breaches:report_new"), {
        **_form(cyberbullying="on"), "action": "submit",
        "evidence_file": upload("s.png", PNG_BYTES), "evidence_captured_at": "2026-11-20T18:35",
        "evidence_site": "instagram.com/some_account"})
    evidence = Case.objects.get().evidence.get()
    assert evidence.site == "instagram.com/some_account"
    assert timezone.localtime(evidence.captured_at).strftime("%H:%M") == "18:35"
