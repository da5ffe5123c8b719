"""The seed policy as LibreOffice saved it (tests/data/make_seed_docx.sh): a file the importer
did not write, whose numbers Word's numbering definitions generate."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.reader import docx_to_policy_text
from policies.models import PolicyVersion
from policies.parsing import parse_policy_text

DATA = Path(__file__).resolve().parents[1] / "data"
SEED_DOCX = DATA / "social-media-policy-2023-libreoffice.docx"


def _rows(clauses):
    return [(c.number, c.text, c.level, c.parent_number) for c in clauses]


def test_the_word_processors_file_numbers_its_clauses_with_word_lists():
    import zipfile

    with zipfile.ZipFile(SEED_DOCX) as package:
        document = package.read("word/document.xml").decode()
        numbering = package.read("word/numbering.xml").decode()
    assert document.count("<w:numPr>") > 80 and "10.4" not in document
    assert "w:startOverride" in numbering  # the appendix starts its list again


def test_the_seed_from_word_gives_the_same_93_clauses_numbers_and_text_as_the_text(seed_text):
    from_word = parse_policy_text(docx_to_policy_text(SEED_DOCX.read_bytes()))
    from_text = parse_policy_text(seed_text)
    assert len(from_word.clauses) == 93
    assert _rows(from_word.clauses) == _rows(from_text.clauses)
    assert from_word.metadata == from_text.metadata
    assert (from_word.title, from_word.category) == (from_text.title, from_text.category)


def test_importing_the_seed_from_word_after_the_text_changes_nothing(client_as, imported):
    response = client_as("hr").post(reverse("policies:policy_import"), {
        "file": SimpleUploadedFile(SEED_DOCX.name, SEED_DOCX.read_bytes()),
        "owner_role": "ceo",
    })
    assert response.status_code == 200
    assert "Nothing will be imported" in response.content.decode()
    assert PolicyVersion.objects.count() == 1
