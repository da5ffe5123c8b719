import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from policies import services
from policies.models import Policy, PolicyVersion
from policies.parsing import parse_policy_text
from tests.policies.conftest import S, walk


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;:!?])\s+", " ".join(text.split())) if len(s) > 3]


def test_importing_the_seed_creates_a_draft_with_every_clause_in_order(imported, seed_text):
    version = imported.version
    numbers = list(version.clauses.order_by("order").values_list("number", flat=True))
    expected = [c.number for c in parse_policy_text(seed_text).clauses]
    assert imported.created and version.status == S.DRAFT
    assert numbers == expected
    assert numbers[:3] == ["1", "1.1", "1.2"]
    assert {"5.1 f)", "10.4 a) v.", "A", "A 1.1", "A 3.2", "11.1"} <= set(numbers)


LABEL_RE = re.compile(r"^(?:[-*]\s*)?(?:Appendix [A-Z] - |\d+\.(?:\d+)?\s|[a-z]\)\s|[ivx]+\.\s)?")


def _body_lines(seed_text: str) -> list[str]:
    body = seed_text.split("\n1. Policy statement\n", 1)[1]
    lines = ["Policy statement"] + [" ".join(line.split()) for line in body.splitlines()]
    return [LABEL_RE.sub("", line, count=1) for line in lines if line]


def test_every_sentence_of_the_source_lands_in_exactly_one_clause(imported, seed_text):
    source = _body_lines(seed_text)
    texts = list(imported.version.clauses.order_by("order").values_list("text", flat=True))
    assert " ".join(texts) == " ".join(source)
    for sentence in {s for line in source for s in _sentences(line)}:
        in_source = sum(line.count(sentence) for line in source)
        assert sum(text.count(sentence) for text in texts) == in_source, sentence


def test_the_cover_sheet_is_kept_with_the_version(imported):
    cover = imported.version.cover
    assert cover["ceo_approval_by"] == "Sean Kelly"
    assert cover["ceo_approval_month"] == "2023-09-01"
    assert cover["jnc_consultation_month"] == "2023-09-01"
    assert cover["last_reviewed"] == "2023-09-01"
    assert cover["next_review_due"] == "2025-09-01"
    assert imported.version.label == "2023-09"


def test_the_content_hash_matches_the_stored_clauses(imported):
    version = imported.version
    assert len(version.content_hash) == 64
    assert version.content_hash == version.compute_content_hash()


def test_importing_the_same_text_twice_does_not_create_a_second_version(org, imported, seed_text):
    again = services.policy_import(text=seed_text, title="Social Media Policy", actor=org.hr)
    assert not again.created
    assert again.version == imported.version
    assert PolicyVersion.objects.count() == 1 and Policy.objects.count() == 1


def test_a_spreadsheet_is_refused_with_a_clear_error(org):
    with pytest.raises(services.PolicyError, match="spreadsheet"):
        services.policy_import(text="name,email\nA,a@x\nB,b@x\n", actor=org.hr)
    assert not Policy.objects.exists()


def test_numbering_out_of_sequence_needs_confirming_then_imports_in_the_documents_order(org):
    text = "Policy\n\n1. Intro\n- 1.2 Second clause of the intro.\n- 1.1 First clause here.\n"
    with pytest.raises(services.ImportNeedsConfirmation) as caught:
        services.policy_import(text=text, title="Out of order", actor=org.hr)
    [warning] = caught.value.warnings
    assert warning.line_number == 5 and "clause 1.1 comes after 1.2" in warning.message
    assert not Policy.objects.exists()

    version = services.policy_import(text=text, title="Out of order", actor=org.hr,
                                     confirm_warnings=True).version

    assert list(version.clauses.order_by("order").values_list("number", flat=True)) == [
        "1", "1.2", "1.1"]
    assert version.warnings[0]["line_number"] == 5
    assert version.warnings_confirmed_by == org.hr


def test_a_truncated_file_needs_confirming_and_says_why(org, seed_text):
    cut = seed_text[:seed_text.index("Line managers should liaise with Colwyn") + 35]
    with pytest.raises(services.ImportNeedsConfirmation) as caught:
        services.policy_import(text=cut, title="Social Media Policy", actor=org.hr)
    assert {w.kind for w in caught.value.warnings} == {"truncated", "contents"}
    assert not Policy.objects.exists()


def test_a_next_version_with_far_fewer_clauses_needs_confirming(org, published, seed_text):
    short = seed_text[:seed_text.index("7. Monitoring and data protection\n\n- 7.1")]
    short = short.rstrip() + "\n"
    with pytest.raises(services.ImportNeedsConfirmation) as caught:
        services.policy_import(text=short, title="Social Media Policy", actor=org.hr)
    assert "shrunk" in {w.kind for w in caught.value.warnings}
    assert published.policy.versions.count() == 1


@pytest.mark.parametrize("text", ["asdf qwer zzz", "1.1 1.1 1.1", "))))"])
def test_text_without_structure_is_refused_and_creates_no_policy(org, text):
    with pytest.raises(services.PolicyError) as caught:
        services.policy_import(text=text, title="Junk", actor=org.hr)
    assert not isinstance(caught.value, services.ImportNeedsConfirmation)
    assert not Policy.objects.exists()


def test_the_import_command_creates_the_policy(org, tmp_path, seed_text, capsys):
    path = tmp_path / "smp.txt"
    path.write_text(seed_text)
    call_command("import_policy", str(path), "--title", "Social Media Policy")
    policy = Policy.objects.get()
    assert policy.slug == "social-media-policy"
    assert policy.versions.get().clauses.count() == 93
    assert "Imported" in capsys.readouterr().out


def test_the_import_command_reports_a_file_that_is_not_a_policy(org, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text("name,email\nA,a@x\nB,b@x\n")
    with pytest.raises(CommandError, match="spreadsheet"):
        call_command("import_policy", str(path), "--title", "Nope")


def test_importing_a_draft_proposes_review_dates_but_moves_nothing(imported):
    policy = imported.policy
    assert policy.next_review_due is None and policy.last_reviewed_on is None
    assert not policy.reviews.exists()
    assert imported.version.cover["next_review_due"] == "2025-09-01"


def test_publishing_the_seed_policy_records_its_review_and_next_due_date(published):
    policy = published.policy
    policy.refresh_from_db()
    assert str(policy.last_reviewed_on) == "2023-09-01"
    assert str(policy.next_review_due) == "2025-09-01"
    assert policy.reviews.get().outcome == "new_version"


def test_importing_the_next_version_leaves_the_review_board_alone_until_it_is_published(
        org, published, seed_text):
    policy = published.policy
    revised = (seed_text.replace("Last reviewed on:\tSeptember 2023", "Last reviewed on:\t"
                                 "September 2025")
               .replace("Next review due by:\tSeptember 2025", "Next review due by:\t"
                        "September 2027")
               .replace("blogs and wikis.", "blogs, wikis and messaging apps."))
    draft = services.policy_import(text=revised, title="Social Media Policy",
                                   actor=org.hr).version
    policy.refresh_from_db()
    assert str(policy.next_review_due) == "2025-09-01"
    assert policy.reviews.count() == 1
    walk(draft, org, S.PUBLISHED)
    policy.refresh_from_db()
    assert str(policy.next_review_due) == "2027-09-01"
    assert str(policy.last_reviewed_on) == "2025-09-01"
    assert policy.reviews.count() == 2


@pytest.mark.parametrize("role", ["staff", "manager", "principal", "board"])
def test_only_the_policy_managers_may_import(org, seed_text, role):
    with pytest.raises(services.TransitionNotAllowed):
        services.policy_import(text=seed_text, actor=getattr(org, role))
    assert not Policy.objects.exists()
