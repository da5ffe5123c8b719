"""Registered policy documents go through the portal's one upload check (core.uploads)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from policies import services
from policies.models import Policy

PNG_HTML_POLYGLOT = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16 + b"<html><script>alert(1)</script>"


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _register(org, name: str, content: bytes):
    return services.policy_register_document(
        title="ICT User Policy", actor=org.hr,
        document=SimpleUploadedFile(name, content, content_type="application/pdf"))


def test_a_pdf_policy_document_is_registered(org):
    policy = _register(org, "ict.pdf", b"%PDF-1.4 the ICT policy")
    assert policy.document_name == "ict.pdf"


def test_a_word_document_is_registered_when_it_really_is_one(org):
    assert _register(org, "ict.docx", _docx_bytes()).document_name == "ict.docx"


@pytest.mark.parametrize(("name", "content"), [
    ("ict.pdf", PNG_HTML_POLYGLOT),          # a picture called .pdf
    ("ict.txt", PNG_HTML_POLYGLOT),          # a polyglot called .txt
    ("ict.docx", b"PK\x03\x04not really a package"),
    ("ict.pdf", b"MZ\x90\x00 a Windows program"),
    ("ict.html", b"<html><body>hello</body></html>"),
    ("ict.doc", b"\xd0\xcf\x11\xe0 old office"),
])
def test_a_document_whose_content_does_not_match_its_name_is_refused(org, name, content):
    with pytest.raises(services.DocumentRejected):
        _register(org, name, content)
    assert not Policy.objects.filter(title="ICT User Policy").exists()


def test_the_register_page_marks_the_file_field_and_keeps_the_title(client_as, org):
    response = client_as("hr").post(reverse("policies:policy_register"), {
        "title": "ICT User Policy", "summary": "How staff use ICT",
        "document": SimpleUploadedFile("invoice.pdf", PNG_HTML_POLYGLOT),
    })
    html = response.content.decode()
    assert response.status_code == 200
    assert "its contents are a PNG image" in html
    assert 'value="ICT User Policy"' in html
    assert not Policy.objects.filter(title="ICT User Policy").exists()
