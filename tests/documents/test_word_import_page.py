"""The import page takes a Word document with the same checks and errors as text."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from policies.models import Policy, PolicyVersion
from tests.documents.wordfiles import WORD_LISTS_CLAUSES, policy_with_word_lists
from tests.policies.importing import confirm_preview

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _post(client, data: bytes, name: str = "lists-policy.docx"):
    return client.post(reverse("policies:policy_import"), {
        "file": SimpleUploadedFile(name, data, content_type=DOCX), "owner_role": "ceo",
    })


def test_hr_imports_a_word_document_as_a_draft_with_its_numbered_clauses(client_as):
    client = client_as("hr")
    response = confirm_preview(client, _post(client, policy_with_word_lists().bytes()))
    assert response.status_code == 302
    version = PolicyVersion.objects.get(policy__title="Lists Policy")
    assert version.status == "draft"
    assert [(c.number, c.text) for c in version.clauses.order_by("order")] == WORD_LISTS_CLAUSES
    assert version.cover["ceo_approval_by"] == "Sean Kelly"


def test_the_import_page_says_it_takes_word_documents(client_as):
    html = client_as("hr").get(reverse("policies:policy_import")).content.decode()
    assert "Word document (.docx" in html


def test_a_word_document_with_tracked_changes_is_refused_and_nothing_is_saved(client_as):
    word = policy_with_word_lists()
    word.document.paragraphs[-1]._p.append(parse_xml(
        f'<w:ins {nsdecls("w")} w:id="1" w:author="HR" w:date="2026-11-01T10:00:00Z">'
        "<w:r><w:t> and on school trips</w:t></w:r></w:ins>"))
    response = _post(client_as("hr"), word.bytes())
    assert response.status_code == 200
    assert "accept or reject the tracked changes first" in response.content.decode()
    assert not Policy.objects.exists()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("policy.pdf", b"%PDF-1.7 ...", "This is a PDF"),
    ("policy.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
     "older Word 97–2003 document"),
    ("policy.docx", b"PK\x03\x04 cut short", "damaged"),
])
def test_files_the_portal_cannot_read_get_a_clear_message(client_as, name, data, message):
    response = _post(client_as("hr"), data, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PolicyVersion.objects.exists()


def test_a_word_document_with_a_numbering_mistake_shows_the_line_like_text_does(client_as):
    word = policy_with_word_lists()
    word.para("1.1 A second clause 1.1 typed by hand.")
    html = _post(client_as("hr"), word.bytes()).content.decode()
    assert "The policy was not imported" in html and "appears twice" in html
    assert "1.1 A second clause 1.1 typed by hand." in html
    assert not PolicyVersion.objects.exists()


def test_staff_may_not_import_a_word_document(client_as):
    response = _post(client_as("staff"), policy_with_word_lists().bytes())
    assert response.status_code == 403
    assert not Policy.objects.exists()
