"""Every import is previewed first (issue 19): the document as read, what it will become and its
warnings; nothing is saved until HR presses "Import as a draft"."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from policies.import_preview import text_digest
from policies.models import Clause, Policy, PolicyVersion
from tests.documents.wordfiles import WORD_LISTS_CLAUSES, policy_with_word_lists
from tests.policies.importing import confirm_preview, preview_fields

URL = reverse("policies:policy_import")
OUT_OF_ORDER = "Policy\n\n1. Intro\n- 1.2 Second clause here.\n- 1.1 First clause here.\n"


def _counts():
    return (Policy.objects.count(), PolicyVersion.objects.count(), Clause.objects.count(),
            AuditEvent.objects.filter(action="policies.version_imported").count())


def test_pasted_text_is_previewed_and_nothing_is_saved_until_it_is_confirmed(
        client_as, seed_text):
    client = client_as("hr")
    before = _counts()
    response = client.post(URL, {"text": seed_text, "owner_role": "ceo"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview: Social Media Policy" in html
    assert "A new policy, <strong>Social Media Policy</strong>" in html
    assert "93 clauses" in html
    assert '<th scope="row">5.1 f)</th>' in html  # lettered items keep their numbers
    assert "Sean Kelly" in html  # the cover sheet as read
    assert "<details><summary>" in html  # long clauses shortened, the full text one click away
    assert _counts() == before

    response = confirm_preview(client, response)
    assert response.status_code == 302
    version = PolicyVersion.objects.get()
    assert version.clauses.count() == 93
    assert _counts() == (before[0] + 1, before[1] + 1, before[2] + 93, before[3] + 1)


def test_the_audit_record_of_a_previewed_import_is_the_one_it_always_was(client_as, seed_text):
    client = client_as("hr")
    confirm_preview(client, client.post(URL, {
        "file": SimpleUploadedFile("smp.txt", seed_text.encode()), "owner_role": "ceo"}))
    event = AuditEvent.objects.get(action="policies.version_imported")
    assert event.summary.startswith("Imported Social Media Policy version 2023-09 with 93 clauses")
    assert event.summary.endswith("from smp.txt")
    assert event.actor.role == "hr"


def test_a_word_upload_previews_its_word_numbered_clauses_and_imports_the_same_ones(client_as):
    client = client_as("hr")
    response = client.post(URL, {
        "file": SimpleUploadedFile("lists.docx", policy_with_word_lists().bytes()),
        "owner_role": "ceo",
    })
    html = response.content.decode()
    assert "Preview: Lists Policy" in html and "from lists.docx" in html
    shown = [number for number, _ in WORD_LISTS_CLAUSES
             if f'<th scope="row">{number}</th>' in html]
    assert shown == [number for number, _ in WORD_LISTS_CLAUSES]
    assert f"{len(WORD_LISTS_CLAUSES)} clauses" in html
    assert not PolicyVersion.objects.exists()

    assert confirm_preview(client, response).status_code == 302
    version = PolicyVersion.objects.get(policy__title="Lists Policy")
    assert [(c.number, c.text) for c in version.clauses.order_by("order")] == WORD_LISTS_CLAUSES


def test_warnings_in_the_preview_must_be_ticked_before_the_import(client_as):
    client = client_as("hr")
    preview = client.post(URL, {"text": OUT_OF_ORDER, "title": "Out of order",
                                "owner_role": "ceo"})
    html = preview.content.decode()
    assert "Line 5" in html and "lause 1.1 comes after 1.2" in html
    assert "import the document as written" in html

    unticked = confirm_preview(client, preview)
    assert unticked.status_code == 200
    assert "Tick the box to confirm" in unticked.content.decode()
    assert not PolicyVersion.objects.exists()

    assert confirm_preview(client, preview, confirm_warnings="on").status_code == 302
    version = PolicyVersion.objects.get()
    assert [c.number for c in version.clauses.order_by("order")] == ["1", "1.2", "1.1"]
    assert version.warnings_confirmed_by is not None


@pytest.mark.parametrize("role", ["staff", "manager", "principal", "board", "outsider"])
def test_the_preview_and_its_confirmation_are_refused_to_roles_that_may_not_import(
        client_as, seed_text, role):
    client = client_as(role)
    response = client.post(URL, {"text": seed_text, "owner_role": "ceo"})
    assert response.status_code in (302, 403)
    assert "Preview" not in response.content.decode()
    response = client.post(URL, {"text": seed_text, "owner_role": "ceo", "confirm": "on",
                                 "previewed_digest": text_digest(seed_text)})
    assert response.status_code in (302, 403)
    assert not PolicyVersion.objects.exists()


def test_text_changed_after_the_preview_is_previewed_again_and_not_saved(client_as, seed_text):
    client = client_as("hr")
    preview = client.post(URL, {"text": seed_text, "owner_role": "ceo"})
    tampered = seed_text.replace("recognised trade unions.", "unions we choose.", 1)
    fields = {**preview_fields(preview), "text": tampered}
    response = client.post(URL, fields)
    html = response.content.decode()
    assert response.status_code == 200
    assert "changed since it was previewed" in html
    assert "unions we choose." in html
    assert not PolicyVersion.objects.exists()

    assert confirm_preview(client, response).status_code == 302
    clause = PolicyVersion.objects.get().clauses.get(number="1.4")
    assert clause.text.endswith("consultation with the unions we choose.")


def test_line_endings_a_browser_adds_do_not_count_as_a_change(client_as, seed_text):
    client = client_as("hr")
    preview = client.post(URL, {"text": seed_text, "owner_role": "ceo"})
    fields = preview_fields(preview)
    fields["text"] = fields["text"].replace("\n", "\r\n")
    assert client.post(URL, fields).status_code == 302
    assert PolicyVersion.objects.get().clauses.count() == 93


def test_the_preview_of_a_next_version_says_what_changes_against_the_current_one(
        client_as, published, seed_text):
    text = seed_text.replace("recognised trade unions.", "recognised trade unions (JNC).", 1)
    html = client_as("hr").post(URL, {"text": text, "owner_role": "ceo"}).content.decode()
    assert "The next version of" in html and "after the current version 2023-09" in html
    assert "1 clause changed, 0 added, 0 removed, 0 moved (renumbered), 92 unchanged" in html
    assert PolicyVersion.objects.count() == 1


def test_the_preview_of_a_text_already_in_the_library_offers_no_import(client_as, imported,
                                                                       seed_text):
    response = client_as("hr").post(URL, {"text": seed_text, "owner_role": "ceo"})
    html = response.content.decode()
    assert "Nothing will be imported" in html
    assert "Import as a draft</button>" not in html
    assert PolicyVersion.objects.count() == 1


def test_change_the_document_goes_back_to_the_form_with_the_text_kept(client_as):
    client = client_as("hr")
    preview = client.post(URL, {"text": OUT_OF_ORDER, "title": "Out of order",
                                "owner_role": "hr"})
    response = client.post(URL, {**preview_fields(preview), "change": "1"})
    html = response.content.decode()
    assert "Preview:" not in html
    assert "- 1.2 Second clause here." in html  # in the text box, to correct
    assert "The text as read is in the box below" in html
    assert 'value="Out of order"' in html
    assert '<option value="hr" selected>' in html
    assert not PolicyVersion.objects.exists()


def test_text_without_structure_gets_the_error_and_no_preview(client_as):
    response = client_as("hr").post(URL, {"text": "asdf qwer zzz", "owner_role": "ceo"})
    html = response.content.decode()
    assert "The policy was not imported" in html
    assert "Preview:" not in html
    assert not PolicyVersion.objects.exists()


def test_the_import_command_dry_run_prints_the_clause_tree_and_warnings_and_saves_nothing(
        org, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "order.txt"
    path.write_text(OUT_OF_ORDER)
    call_command("import_policy", str(path), "--title", "Out of order", "--dry-run")
    out = capsys.readouterr().out
    assert "Out of order: 3 clauses. Would become a new policy, Out of order" in out
    assert "\n1  Intro\n  1.2  Second clause here.\n  1.1  First clause here.\n" in out
    assert "Warning: line 5:" in out and "lause 1.1 comes after 1.2" in out
    assert not Policy.objects.exists()
