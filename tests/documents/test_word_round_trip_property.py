"""Any clause tree written as Word and read back is the same tree (Hypothesis, no database)."""

from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.reader import docx_to_policy_text
from documents.writer import list_numbers, version_docx
from policies.parsing import parse_policy_text

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789éü’–&<>\"'()/;:,.%",
               min_size=1, max_size=12)
# Each text opens with real words: the importer refuses clauses without any (policies.checks).
TEXT = st.lists(WORD, min_size=1, max_size=8).map(lambda words: "Staff should always "
                                                  + " ".join(words))


@st.composite
def clause_trees(draw):
    """Sections with clauses, lettered and roman items; sometimes an appendix."""
    levels: list[int] = []
    for _section in range(draw(st.integers(1, 3))):
        levels.append(0)
        for _clause in range(draw(st.integers(1, 3))):
            levels.append(1)
            for _item in range(draw(st.integers(0, 3))):
                levels.append(2)
                levels += [3] * draw(st.integers(0, 2))
    appendix = draw(st.integers(0, 2))
    if appendix:
        levels.append(-1)
        for _section in range(appendix):
            levels += [0, 1]
    clauses, texts = [], draw(st.lists(TEXT, min_size=len(levels), max_size=len(levels)))
    for level, text in zip(levels, texts, strict=True):
        if level == -1:
            clauses.append(SimpleNamespace(number="A", level=0, text=text))
        else:
            clauses.append(SimpleNamespace(number="", level=level, text=text))
    for clause, number in zip(clauses, list_numbers(clauses), strict=True):
        clause.number = number
    return clauses


def _version(title: str = "Generated Policy"):
    return SimpleNamespace(
        policy=SimpleNamespace(title=title, category="Human Resources Policy"),
        label="2026-11", cover={}, get_status_display=lambda: "Draft")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clause_trees())
def test_any_clause_tree_exported_to_word_reads_back_as_the_same_tree(clauses):
    text = docx_to_policy_text(version_docx(_version(), clauses))
    parsed = parse_policy_text(text).clauses
    assert [(c.number, c.text) for c in parsed] == [(c.number, c.text) for c in clauses]


def test_numbers_word_could_not_count_are_written_typed_and_read_back():
    clauses = [SimpleNamespace(number=number, level=level, text=f"Staff read the text of {number}.")
               for number, level in (("1", 0), ("1.1", 1), ("1.3", 1), ("1.3 a)", 2),
                                     ("4", 0), ("4.1", 1))]
    parsed = parse_policy_text(docx_to_policy_text(version_docx(_version(), clauses))).clauses
    assert [c.number for c in parsed] == ["1", "1.1", "1.3", "1.3 a)", "4", "4.1"]
