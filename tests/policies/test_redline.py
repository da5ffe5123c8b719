import os
import re
from pathlib import Path

import pytest

from policies.marks import render_marks_html
from policies.parsing import ParsedClause, parse_policy_text
from policies.redline import ClauseDiff, redline, summary, word_marks

SEED_FILE = Path(
    os.environ.get(
        "POLICY_SEED_FILE",
        str(Path(__file__).resolve().parents[2] / "policies/seed/social-media-policy-2023.txt"),
    )
)


@pytest.fixture(scope="module")
def seed_pairs() -> list[tuple[str, str]]:
    if not SEED_FILE.exists():
        pytest.skip(f"seed policy not found at {SEED_FILE} (set POLICY_SEED_FILE)")
    policy = parse_policy_text(SEED_FILE.read_text(encoding="utf-8"))
    return [(clause.number, clause.text) for clause in policy.clauses]


@pytest.fixture(scope="module")
def edited_seed(seed_pairs) -> list[ClauseDiff]:
    """The seed with four edits: a word in 5.1 f), 3.5 added, 2.2 removed, 7.6 moved to 8.4."""
    texts = dict(seed_pairs)
    new = []
    for number, text in seed_pairs:
        if number in ("2.2", "7.6"):
            continue
        if number == "5.1 f)":
            text = text.replace("bully", "intimidate")
        new.append((number, text))
        if number == "3.4":
            new.append(("3.5", "Staff must report any breach of this policy they see."))
        if number == "8.3":
            new.append(("8.4", texts["7.6"]))
    return redline(seed_pairs, new)


def rows(diffs: list[ClauseDiff]) -> list[tuple[str, str | None, str | None]]:
    return [(diff.status, diff.old_number, diff.new_number) for diff in diffs]


def row_for(diffs: list[ClauseDiff], number: str) -> ClauseDiff:
    return next(diff for diff in diffs if diff.number == number)


def test_identical_versions_are_all_unchanged(seed_pairs):
    diffs = redline(seed_pairs, seed_pairs)

    assert summary(diffs)["unchanged"] == len(seed_pairs)
    assert all(diff.marks == [("equal", diff.new_text)] for diff in diffs)


def test_a_changed_word_in_5_1_f_is_marked_word_by_word(edited_seed):
    diff = row_for(edited_seed, "5.1 f)")

    assert (diff.status, diff.old_number, diff.new_number) == ("changed", "5.1 f)", "5.1 f)")
    assert diff.marks == [
        ("equal", "harass or "),
        ("delete", "bully"),
        ("insert", "intimidate"),
        ("equal", " other staff in any way;"),
    ]


def test_an_added_clause_appears_where_the_new_version_has_it(edited_seed):
    index = rows(edited_seed).index(("added", None, "3.5"))

    assert edited_seed[index - 1].number == "3.4"
    assert edited_seed[index].marks == [
        ("insert", "Staff must report any breach of this policy they see.")
    ]


def test_a_removed_clause_stays_where_it_was(edited_seed):
    index = rows(edited_seed).index(("removed", "2.2", None))

    assert [diff.number for diff in edited_seed[index - 1 : index + 2]] == ["2.1", "2.2", "3"]
    assert edited_seed[index].marks[0][0] == "delete"


def test_a_renumbered_clause_with_the_same_text_is_moved(edited_seed):
    diff = row_for(edited_seed, "8.4")

    assert (diff.status, diff.old_number, diff.new_number) == ("moved", "7.6", "8.4")
    assert not diff.text_changed
    assert diff.marks == [("equal", diff.new_text)]


def test_the_edited_seed_summary_counts_each_kind_of_edit(edited_seed, seed_pairs):
    assert summary(edited_seed) == {
        "unchanged": len(seed_pairs) - 3,
        "added": 1,
        "removed": 1,
        "changed": 1,
        "moved": 1,
    }


def test_inserting_a_clause_marks_later_clauses_as_moved_not_rewritten():
    old = [("1.1", "Alpha clause text."), ("1.2", "Beta clause text."), ("1.3", "Gamma text.")]
    new = [
        ("1.1", "Alpha clause text."),
        ("1.2", "A brand new clause."),
        ("1.3", "Beta clause text."),
        ("1.4", "Gamma text."),
    ]

    assert rows(redline(old, new)) == [
        ("unchanged", "1.1", "1.1"),
        ("added", None, "1.2"),
        ("moved", "1.2", "1.3"),
        ("moved", "1.3", "1.4"),
    ]


def test_a_moved_and_edited_clause_is_moved_with_marks():
    text = "Staff should keep records of the abuse and should not delete it."
    old = [("3.1", "Intro."), ("3.2", text)]
    new = [("3.1", "Intro."), ("3.2", "New."), ("3.3", text.replace("records", "copies"))]

    diff = redline(old, new)[2]

    assert (diff.status, diff.old_number, diff.new_number) == ("moved", "3.2", "3.3")
    assert diff.text_changed
    assert diff.marks == [
        ("equal", "Staff should keep "),
        ("delete", "records"),
        ("insert", "copies"),
        ("equal", " of the abuse and should not delete it."),
    ]


def test_a_rewritten_clause_under_the_same_number_is_changed():
    diffs = redline([("4.1", "Completely different words.")], [("4.1", "Nothing in common here.")])

    assert rows(diffs) == [("changed", "4.1", "4.1")]


def test_a_dissimilar_clause_under_a_new_number_is_added_and_the_old_one_removed():
    diffs = redline(
        [("1.1", "Keep."), ("1.2", "Old wording about phones.")],
        [("1.1", "Keep."), ("1.3", "Entirely new rule on cameras.")],
    )

    assert rows(diffs) == [
        ("unchanged", "1.1", "1.1"),
        ("removed", "1.2", None),
        ("added", None, "1.3"),
    ]


def test_a_removed_first_clause_comes_first():
    diffs = redline([("1", "Scope"), ("1.1", "Text.")], [("1.1", "Text.")])

    assert rows(diffs) == [("removed", "1", None), ("unchanged", "1.1", "1.1")]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("harass or bully other staff;", "harass or intimidate other staff;"),
        ("the cat sat on the mat", "a dog sat on a rug"),
        ("Trust's  policy,\ttwice", "Trust\u2019s policy, once or twice!"),
        ("", "all new"),
        ("all gone", ""),
    ],
)
def test_marks_rebuild_the_old_and_the_new_text_exactly(old, new):
    marks = word_marks(old, new)

    assert "".join(text for op, text in marks if op != "insert") == old
    assert "".join(text for op, text in marks if op != "delete") == new


def test_spaces_between_changed_words_fold_into_one_change():
    assert word_marks("the cat sat", "a dog sat") == [
        ("delete", "the cat"),
        ("insert", "a dog"),
        ("equal", " sat"),
    ]


def test_redline_accepts_objects_with_number_and_text():
    old = [ParsedClause("1", "Scope", 0, None, 1)]
    new = [ParsedClause("1", "Scope and purpose", 0, None, 1)]

    assert redline(old, new)[0].marks == [("equal", "Scope"), ("insert", " and purpose")]


def test_duplicate_clause_numbers_are_refused():
    with pytest.raises(ValueError, match=re.escape("'1.1' appears more than once")):
        redline([("1.1", "A."), ("1.1", "B.")], [])


def test_summary_counts_every_status_even_when_absent():
    assert summary([]) == {"unchanged": 0, "added": 0, "removed": 0, "changed": 0, "moved": 0}


def test_marks_render_as_ins_and_del():
    segments = [("equal", "harass or "), ("delete", "bully"), ("insert", "intimidate")]

    assert render_marks_html(segments) == "harass or <del>bully</del><ins>intimidate</ins>"


def test_marks_html_escapes_the_text():
    segments = [
        ("equal", 'Say "hi" & '),
        ("delete", "<script>alert(1)</script>"),
        ("insert", "<b>don't</b>"),
    ]

    assert render_marks_html(segments) == (
        "Say &quot;hi&quot; &amp; "
        "<del>&lt;script&gt;alert(1)&lt;/script&gt;</del>"
        "<ins>&lt;b&gt;don&#x27;t&lt;/b&gt;</ins>"
    )
