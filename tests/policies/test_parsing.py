import datetime
import os
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from policies.parsing import (
    ParsedClause,
    PolicyParseError,
    clause_anchor,
    parse_body,
    parse_clause_lines,
    parse_month,
    parse_policy_text,
    render_policy_text,
    shrink_warnings,
)

SEED_FILE = Path(
    os.environ.get(
        "POLICY_SEED_FILE",
        str(Path(__file__).resolve().parents[2] / "policies/seed/social-media-policy-2023.txt"),
    )
)

EXPECTED_NUMBERS = [
    "1", "1.1", "1.2", "1.3", "1.4",
    "2", "2.1", "2.2",
    "3", "3.1", "3.2", "3.3", "3.4",
    "4", "4.1", "4.2", "4.3",
    "5", "5.1",
    "5.1 a)", "5.1 b)", "5.1 c)", "5.1 d)", "5.1 e)", "5.1 f)", "5.1 g)", "5.1 h)", "5.1 i)",
    "5.2", "5.3",
    "6", "6.1", "6.2", "6.3", "6.4",
    "7", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6",
    "8", "8.1", "8.2", "8.3",
    "9", "9.1",
    "10", "10.1", "10.2",
    "10.3", "10.3 a)", "10.3 b)", "10.3 c)", "10.3 d)", "10.3 e)",
    "10.4", "10.4 a)",
    "10.4 a) i.", "10.4 a) ii.", "10.4 a) iii.", "10.4 a) iv.", "10.4 a) v.",
    "10.4 b)", "10.4 c)", "10.4 d)", "10.4 e)", "10.4 f)", "10.4 g)", "10.4 h)", "10.4 i)",
    "10.4 j)",
    "10.5", "10.5 a)", "10.5 b)", "10.5 c)",
    "10.6", "10.6 a)", "10.6 b)", "10.6 c)",
    "11", "11.1",
    "A",
    "A 1", "A 1.1", "A 1.2", "A 1.3",
    "A 2", "A 2.1",
    "A 3", "A 3.1", "A 3.2",
]  # fmt: skip

# Labels as the source writes them: "- 1.1 ", " - a) ", " - i. ", "1. ", "Appendix A - ".
SOURCE_LABEL = re.compile(
    r"^(?:[-*]\s+)?(?:Appendix [A-Z] - |\d+\.\d+ |\d+\. |[a-z]\) |[ivx]+\. )?"
)


def sentences(text: str) -> list[str]:
    return [part for part in re.split(r"(?<=[.!?])\s+", text) if part]


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEED_FILE.exists():
        pytest.skip(f"seed policy not found at {SEED_FILE} (set POLICY_SEED_FILE)")
    return SEED_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(seed_text):
    return parse_policy_text(seed_text)


def by_number(clauses: list[ParsedClause]) -> dict[str, ParsedClause]:
    return {clause.number: clause for clause in clauses}


def test_every_sentence_of_the_source_lands_in_exactly_one_clause(seed_text, seed):
    body = seed_text[seed_text.index("\n1. Policy statement\n") :]
    source = Counter()
    for line in body.splitlines():
        source.update(sentences(SOURCE_LABEL.sub("", " ".join(line.split()))))
    parsed = Counter()
    for clause in seed.clauses:
        parsed.update(sentences(clause.text))

    assert source - parsed == Counter(), "sentences lost"
    assert parsed - source == Counter(), "sentences duplicated or invented"
    assert sum(source.values()) > 100  # the comparison really covered the document


def test_clause_numbers_follow_the_source_in_order(seed):
    assert [clause.number for clause in seed.clauses] == EXPECTED_NUMBERS


def test_the_item_that_lost_its_letter_after_5_1_h_becomes_5_1_i(seed):
    clause = by_number(seed.clauses)["5.1 i)"]

    assert clause.text.startswith("breach any other laws or ethical standards")
    assert clause.parent_number == "5.1"


def test_order_counts_from_one_in_document_order(seed):
    assert [clause.order for clause in seed.clauses] == list(range(1, len(EXPECTED_NUMBERS) + 1))


@pytest.mark.parametrize(
    ("number", "level", "parent_number", "section"),
    [
        ("1", 0, None, "1"),
        ("1.1", 1, "1", "1"),
        ("9.1", 1, "9", "9"),
        ("10.4", 1, "10", "10"),
        ("5.1 a)", 2, "5.1", "5"),
        ("10.4 j)", 2, "10.4", "10"),
        ("10.4 a) iii.", 3, "10.4 a)", "10"),
        ("A", 0, None, "A"),
        ("A 1", 0, None, "A 1"),
        ("A 3.2", 1, "A 3", "A 3"),
    ],
)
def test_level_parent_and_section_describe_the_nesting(seed, number, level, parent_number, section):
    clause = by_number(seed.clauses)[number]

    assert (clause.level, clause.parent_number, clause.section) == (level, parent_number, section)


@pytest.mark.parametrize(
    ("number", "heading"),
    [
        ("1", "Policy statement"),
        ("2", "Who is covered by the policy?"),
        ("10.3", "Safeguarding children and young people"),
        ("10.4", "Protecting our business reputation"),
        ("A", "Guidance - Using Social Media"),
        ("A 1", "Keeping safe on-line"),
        ("5.1", ""),
        ("10.4 a)", ""),
    ],
)
def test_sections_and_heading_clauses_carry_a_heading(seed, number, heading):
    assert by_number(seed.clauses)[number].heading == heading


def test_heading_clause_keeps_its_colon_in_the_text(seed):
    assert by_number(seed.clauses)["10.4"].text == "Protecting our business reputation:"


def test_title_and_category_come_from_the_lines_above_the_cover_sheet(seed):
    assert (seed.title, seed.category) == ("Social Media Policy", "Human Resources Policy")


def test_cover_sheet_metadata_is_read(seed):
    september_2023 = datetime.date(2023, 9, 1)

    assert seed.metadata == {
        "ceo_approval_by": "Sean Kelly",
        "ceo_approval_date": "September 2023",
        "ceo_approval_month": september_2023,
        "lgb_ratification": "",
        "lgb_ratification_month": None,
        "consultation_body": "Joint Negotiating Council (JNC)",
        "jnc_consultation": "September 2023",
        "jnc_consultation_month": september_2023,
        "last_reviewed": september_2023,
        "next_review_due": datetime.date(2025, 9, 1),
    }


def test_table_of_contents_is_skipped(seed):
    sections = [clause for clause in seed.clauses if clause.level == 0]

    assert seed.clauses[0].number == "1"
    assert seed.clauses[0].text == "Policy statement"
    assert len(sections) == 15  # 1-11, the appendix divider and A 1-A 3
    assert not any(clause.text == "Contents" for clause in seed.clauses)


def test_unreadable_review_date_is_refused_naming_the_line(seed_text):
    text = seed_text.replace("Next review due by:\tSeptember 2025", "Next review due by:\tsoon")

    with pytest.raises(PolicyParseError, match="'soon' is not a date") as info:
        parse_policy_text(text)

    assert info.value.line_number == 11


def test_whitespace_is_normalised_without_losing_words():
    text = (
        "1.\tScope\n\n\n"
        "- 1.1   Staff   must\tread this\n"
        "   policy \u2013 all of it.\n\n"
        "  - a)  first\u00a0 item\n"
    )

    clauses = parse_clause_lines(text)

    assert [(clause.number, clause.text) for clause in clauses] == [
        ("1", "Scope"),
        ("1.1", "Staff must read this policy \u2013 all of it."),
        ("1.1 a)", "first item"),
    ]


def test_body_without_cover_sheet_parses_clause_by_clause():
    clauses = parse_clause_lines("2.1 Only a clause.\n2.2 And another.\n")

    assert [(clause.number, clause.parent_number, clause.section) for clause in clauses] == [
        ("2.1", None, "2"),
        ("2.2", None, "2"),
    ]


def test_numbering_out_of_sequence_is_kept_in_the_documents_order_with_a_warning_on_its_line():
    text = "3. Scope\n- 3.1 One.\n- 3.4 Four.\n- 3.2 Two.\n"

    clauses, warnings = parse_body(text)

    assert [c.number for c in clauses] == ["3", "3.1", "3.4", "3.2"]
    [warning] = warnings
    assert (warning.kind, warning.line_number, warning.line) == ("order", 4, "- 3.2 Two.")
    assert warning.message == "clause 3.2 comes after 3.4; clause numbers usually go up"


def test_a_new_appendix_item_above_the_one_before_it_is_a_warning_not_an_error(seed_text):
    text = seed_text.replace("- 3.2 If cyber-bullying",
                             "- 3.3 Report it through CPOMS as well.\n- 3.2 If cyber-bullying")
    line_of_3_2 = next(number for number, line in enumerate(text.splitlines(), start=1)
                       if line.startswith("- 3.2 If cyber-bullying"))

    parsed = parse_policy_text(text)

    assert [c.number for c in parsed.clauses][-2:] == ["A 3.3", "A 3.2"]
    [warning] = parsed.warnings
    assert warning.line_number == line_of_3_2
    assert "clause A 3.2 comes after A 3.3" in warning.message


@pytest.mark.parametrize("text", ["asdf qwer zzz", "1.1 1.1 1.1", "))))",
                                  "1. 2. 3.\n- 1.1 !!!\n"])
def test_text_without_real_structure_is_refused_with_a_clear_error(text):
    with pytest.raises(PolicyParseError, match="numbered clauses|no words|sentence"):
        parse_policy_text(text)


def test_a_document_cut_short_mid_clause_is_warned_about(seed_text):
    cut = seed_text[:seed_text.index("Line managers should liaise with Colwyn") + 35]

    parsed = parse_policy_text(cut)

    kinds = {w.kind for w in parsed.warnings}
    assert kinds == {"truncated", "contents"}
    truncated = next(w for w in parsed.warnings if w.kind == "truncated")
    assert "7.2" in truncated.message and "liaise with the" not in truncated.message[:20]
    missing = [w.message for w in parsed.warnings if w.kind == "contents"]
    assert any("section 11 'Review of policy'" in m for m in missing)
    assert any("section 8 'Business use of social media'" in m for m in missing)


def test_the_seed_document_has_no_warnings(seed):
    assert seed.warnings == []


def test_far_fewer_clauses_than_the_current_version_is_a_warning(seed):
    assert shrink_warnings(seed.clauses[:40], 93, "2023-09")[0].kind == "shrunk"
    assert shrink_warnings(seed.clauses[:90], 93, "2023-09") == []


def test_repeated_clause_number_is_refused_naming_both_lines():
    text = "1. Scope\n- 1.1 One.\n- 1.2 Two.\n\n2. Roles\n- 2.1 Three.\n- 2.1 Again.\n"

    with pytest.raises(PolicyParseError) as info:
        parse_clause_lines(text)

    assert str(info.value) == "Line 7: clause 2.1 appears twice (it is already used on line 6)"


def test_section_restarting_without_an_appendix_line_suggests_adding_one():
    text = "1. Scope\n- 1.1 One.\n2. Roles\n- 2.1 Two.\n1. Guidance\n- 1.1 Three.\n"

    with pytest.raises(PolicyParseError, match="put 'Appendix A - <title>' above it") as info:
        parse_clause_lines(text)

    assert info.value.line_number == 5


def test_empty_clause_is_refused_naming_the_line():
    with pytest.raises(PolicyParseError) as info:
        parse_clause_lines("1. Scope\n- 1.1\n- 1.2 Text.\n")

    assert str(info.value) == "Line 2: clause 1.1 is empty; add its text or remove it"


def test_lettered_item_outside_a_clause_is_refused():
    with pytest.raises(PolicyParseError, match=r"item a\) must come under a numbered clause"):
        parse_clause_lines("1. Scope\n- a) Orphan.\n")


def test_text_before_the_first_clause_is_refused_in_a_body():
    with pytest.raises(PolicyParseError, match="text before the first numbered clause") as info:
        parse_clause_lines("Social Media Policy\n1. Scope\n- 1.1 One.\n")

    assert info.value.line_number == 1


@pytest.mark.parametrize("text", ["", "  \n\t\n"])
def test_empty_document_is_refused(text):
    with pytest.raises(PolicyParseError) as info:
        parse_policy_text(text)

    assert (str(info.value), info.value.line_number) == ("the document is empty", None)


@pytest.mark.parametrize("parse", [parse_policy_text, parse_clause_lines])
def test_csv_is_refused_as_a_spreadsheet(parse):
    text = "number,title,owner\n1,Social media,HR\n2,Safeguarding,DSL\n"

    with pytest.raises(PolicyParseError, match="looks like a spreadsheet"):
        parse(text)


@pytest.mark.parametrize("decode", ["latin-1", "utf-8-replace"])
def test_random_bytes_are_refused_as_binary(decode):
    data = random.Random(1234).randbytes(4000)
    text = data.decode(decode) if decode == "latin-1" else data.decode("utf-8", "replace")

    with pytest.raises(PolicyParseError, match="not a plain-text document"):
        parse_policy_text(text)


def test_text_without_numbered_clauses_is_refused():
    with pytest.raises(PolicyParseError, match="no numbered clauses were found"):
        parse_policy_text("Dear colleagues\nPlease read the attached policy.\n")


def test_parse_error_is_a_value_error_with_a_line_number():
    error = PolicyParseError("clause 1.1 is empty", 12)

    assert isinstance(error, ValueError)
    assert (error.message, error.line_number) == ("clause 1.1 is empty", 12)


@pytest.mark.parametrize(
    ("number", "anchor"),
    [
        ("5.1 f)", "5.1-f"),
        ("10.4 a) iii.", "10.4-a-iii"),
        ("A 3.2", "A-3.2"),
        ("A 1", "A-1"),
        ("A", "A"),
        ("7", "7"),
    ],
)
def test_clause_anchor_is_a_permalink_slug(number, anchor):
    assert clause_anchor(number) == anchor


def test_every_clause_of_the_seed_has_its_own_anchor(seed):
    anchors = [clause.anchor for clause in seed.clauses]

    assert len(set(anchors)) == len(anchors)


def test_rendered_text_parses_back_to_the_same_clauses(seed):
    assert parse_clause_lines(render_policy_text(seed.clauses)) == seed.clauses


def test_rendered_text_uses_the_source_layout(seed):
    lines = render_policy_text(seed.clauses).splitlines()

    assert lines[:2] == ["1. Policy statement", ""]
    assert lines[2].startswith("- 1.1 We recognise")
    assert " - i) breach any other laws or ethical standards" in "\n".join(lines)
    assert "   - iii. our trustees / members or staff;" in lines
    assert "Appendix A - Guidance - Using Social Media" in lines


def test_rendering_normalises_whitespace_in_edited_text():
    clauses = [
        ParsedClause("1", "Scope", 0, None, 1),
        ParsedClause("1.1", " Two\n lines ", 1, "1", 2),
    ]

    assert render_policy_text(clauses) == "1. Scope\n\n- 1.1 Two lines\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("September 2023", datetime.date(2023, 9, 1)),
        ("Sept 2025", datetime.date(2025, 9, 1)),
        ("12 March 2024", datetime.date(2024, 3, 12)),
        ("2024-07", datetime.date(2024, 7, 1)),
        ("", None),
    ],
)
def test_parse_month_reads_review_dates(text, expected):
    assert parse_month(text) == expected
