import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from policies import services
from policies.models import Policy, PolicyVersion
from policies.parsing import parse_policy_text

S = PolicyVersion.Status


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


def test_a_numbering_mistake_is_refused_with_its_line(org):
    text = "Policy\n\n1. Intro\n- 1.2 Second\n- 1.1 First\n"
    with pytest.raises(services.PolicyError) as caught:
        services.policy_import(text=text, title="Broken", actor=org.hr)
    assert caught.value.line_number == 5
    assert "must go up" in caught.value.message


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


def test_the_seed_policy_is_imported_with_its_review_dates(imported):
    policy = imported.policy
    assert str(policy.last_reviewed_on) == "2023-09-01"
    assert str(policy.next_review_due) == "2025-09-01"
    assert policy.reviews.get().outcome == "new_version"


@pytest.mark.parametrize("role", ["staff", "manager", "principal", "board"])
def test_only_the_policy_managers_may_import(org, seed_text, role):
    with pytest.raises(services.TransitionNotAllowed):
        services.policy_import(text=seed_text, actor=getattr(org, role))
    assert not Policy.objects.exists()
