"""Download as Word, edit, upload: the redline shows exactly what was edited."""

import json
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from documents.reader import docx_to_policy_text
from documents.writer import version_docx
from policies import selectors
from policies.models import Policy, PolicyVersion
from policies.parsing import parse_policy_text
from policies.redline import redline, summary
from tests.documents.wordfiles import NEW_CLAUSE, edit_like_hr
from tests.policies.importing import confirm_preview


def _json_safe(metadata: dict) -> dict:
    """The cover sheet as the version stores it (JSON: dates as ISO strings)."""
    return json.loads(json.dumps(metadata, cls=DjangoJSONEncoder))


def _download(client, version, **params) -> bytes:
    response = client.get(
        reverse("documents:version_word", args=[version.policy.slug, version.label]), params)
    assert response.status_code == 200
    return response.content


def _preview(client, data: bytes, name: str = "edited.docx"):
    return client.post(reverse("policies:policy_import"), {
        "file": SimpleUploadedFile(name, data), "owner_role": "ceo",
    })


def _upload(client, data: bytes, name: str = "edited.docx"):
    """Upload, then "Import as a draft" on the preview."""
    return confirm_preview(client, _preview(client, data, name))


def _clause_rows(version):
    return [(c.number, c.text, c.level, c.parent.number if c.parent else None)
            for c in version.clauses.select_related("parent").order_by("order")]


def _parsed_rows(text):
    return [(c.number, c.text, c.level, c.parent_number) for c in parse_policy_text(text).clauses]


def test_an_exported_version_reads_back_as_the_same_clauses_and_cover_sheet(client_as, published):
    data = _download(client_as("staff"), published)
    text = docx_to_policy_text(data)
    assert _parsed_rows(text) == _clause_rows(published)
    assert len(_parsed_rows(text)) == 93
    assert _json_safe(parse_policy_text(text).metadata) == published.cover


def test_uploading_an_unedited_export_changes_nothing_and_says_which_version_has_it(
        client_as, published):
    client = client_as("hr")
    response = _preview(client, _download(client, published))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing will be imported: version" in page
    assert f">{published.label}</a> of Social Media Policy (published)" in page
    assert "Import as a draft</button>" not in page
    assert PolicyVersion.objects.count() == 1


def test_the_redline_of_an_unedited_export_shows_no_change(published):
    data = version_docx(published, list(published.clauses.order_by("order")))
    parsed = parse_policy_text(docx_to_policy_text(data)).clauses
    counts = summary(redline(list(published.clauses.order_by("order")), parsed))
    assert counts == {"unchanged": 93, "added": 0, "removed": 0, "changed": 0, "moved": 0}


def test_an_edited_export_imports_as_a_draft_whose_redline_shows_exactly_the_edits(
        client_as, published):
    client = client_as("hr")
    response = _upload(client, edit_like_hr(_download(client, published)))
    assert response.status_code == 302
    draft = PolicyVersion.objects.get(status=PolicyVersion.Status.DRAFT)
    assert draft.previous == published and draft.clauses.count() == 93
    diffs = selectors.version_redline(published, draft)
    edits = {(d.status, d.old_number, d.new_number) for d in diffs if d.status != "unchanged"}
    assert edits == {
        ("changed", "4.2", "4.2"),
        ("added", None, "3.3"),
        ("moved", "3.3", "3.4"),
        ("moved", "3.4", "3.5"),
        ("removed", "6.2", None),
        ("moved", "6.3", "6.2"),
        ("moved", "6.4", "6.3"),
    }
    added = next(d for d in diffs if d.status == "added")
    assert added.new_text == NEW_CLAUSE


def test_the_redline_page_shows_the_word_edits(client_as, published):
    client = client_as("hr")
    _upload(client, edit_like_hr(_download(client, published)))
    draft = PolicyVersion.objects.get(status=PolicyVersion.Status.DRAFT)
    html = client.get(reverse("policies:version_redline", args=[published.policy.slug]),
                      {"old": published.label, "new": draft.label}).content.decode()
    assert "AI tools to create images of pupils" in html
    assert "and Principals" in html


def test_an_export_with_the_academy_addendum_reads_back_without_it(
        client_as, org, approved_addendum):
    version = approved_addendum.version
    data = _download(client_as("staff"), version, academy=org.academy.code)
    text = docx_to_policy_text(data)
    assert "Helen Carter" not in text
    assert _parsed_rows(text) == _clause_rows(version)


def test_import_policy_command_reads_a_word_document(org, seed_text, tmp_path, capsys):
    parsed = parse_policy_text(seed_text)
    version = SimpleNamespace(
        policy=SimpleNamespace(title=parsed.title, category=parsed.category), label="2023-09",
        cover=_json_safe(parsed.metadata), get_status_display=lambda: "Draft")
    path = tmp_path / "policy.docx"
    path.write_bytes(version_docx(version, parsed.clauses))
    call_command("import_policy", str(path), "--title", "Social Media Policy")
    imported = PolicyVersion.objects.get(policy__title="Social Media Policy")
    assert [(c.number, c.text) for c in imported.clauses.order_by("order")] == [
        (c.number, c.text) for c in parsed.clauses]
    assert "93 clauses" in capsys.readouterr().out


def test_import_policy_command_refuses_a_word_file_with_tracked_changes(org, tmp_path):
    from django.core.management.base import CommandError

    from tests.documents.wordfiles import policy_with_typed_numbers

    word = policy_with_typed_numbers()
    word.document.paragraphs[-1]._p.append(parse_xml(
        f'<w:ins {nsdecls("w")} w:id="1" w:author="HR" w:date="2026-11-01T10:00:00Z">'
        "<w:r><w:t> and carers</w:t></w:r></w:ins>"))
    path = tmp_path / "policy.docx"
    path.write_bytes(word.bytes())
    with pytest.raises(CommandError, match="accept or reject the tracked changes first"):
        call_command("import_policy", str(path))
    assert not Policy.objects.exists()
