"""Write a policy version as a Word document (.docx) a person can keep editing.

The cover sheet is a table (the rows the text format's cover lines have, so the importer
reads them back), the clauses are paragraphs of one real Word multi-level list
(``1.`` / ``1.1`` / ``a)`` / ``i.``; each appendix restarts it), so Word renumbers what HR
inserts or removes. Imported again, the file gives the same clauses, numbers and text.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Sequence

from docx import Document
from docx.enum.text import WD_BREAK
from docx.shared import Cm, Pt

from documents.reader import ADDENDUM_HEADING
from documents.wordlists import (
    add_abstract_list,
    add_list,
    number_paragraph,
    to_letter,
    to_roman,
)

_APPENDIX_RE = re.compile(r"^[A-Z]$")
_NUMBER_RE = re.compile(
    r"^(?:(?P<appendix>[A-Z]) )?(?P<section>\d+)(?:\.(?P<clause>\d+))?"
    r"(?: (?P<letter>[a-z])\))?(?: (?P<roman>[ivx]+)\.)?$"
)

# The cover-sheet rows, labelled as the seed document labels them (the importer finds the
# fields by these words).
CEO_LABEL = "CEO approval:"
LGB_LABEL = "LGB Cluster ratification"
JNC_LABEL = "Joint Negotiating Council (JNC) consultation (where applicable):"
LAST_REVIEWED_LABEL = "Last reviewed on:"
NEXT_REVIEW_LABEL = "Next review due by:"


def _month_text(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if value.day == 1:
        return f"{value:%B %Y}"
    return f"{value.day} {value:%B %Y}"


def cover_rows(cover: dict) -> list[list[str]]:
    """The cover sheet of a version as table rows ``[label, value, value]``."""
    if not cover:
        return []
    rows = [
        [CEO_LABEL, str(cover.get("ceo_approval_by") or ""),
         str(cover.get("ceo_approval_date") or "")],
        [LGB_LABEL, str(cover.get("lgb_ratification") or ""), ""],
        [JNC_LABEL, "", str(cover.get("jnc_consultation") or "")],
        [LAST_REVIEWED_LABEL, _month_text(cover.get("last_reviewed")), ""],
        [NEXT_REVIEW_LABEL, _month_text(cover.get("next_review_due")), ""],
    ]
    extra = cover.get("extra") or {}
    if isinstance(extra, dict):
        rows += [[str(label), str(value), ""] for label, value in extra.items()]
    return rows


def list_numbers(clauses: Sequence) -> list[str]:
    """The number Word's list gives each clause (appendix dividers keep their letter)."""
    out: list[str] = []
    appendix = ""
    counters = [0, 0, 0, 0]
    for clause in clauses:
        if _APPENDIX_RE.match(clause.number):
            appendix, counters = clause.number, [0, 0, 0, 0]
            out.append(clause.number)
            continue
        level = min(max(clause.level, 0), 3)
        counters[level] += 1
        for deeper in range(level + 1, 4):
            counters[deeper] = 0
        values = [value or 1 for value in counters[: level + 1]]
        number = f"{appendix} " if appendix else ""
        number += str(values[0])
        if level >= 1:
            number += f".{values[1]}"
        if level >= 2:
            number += f" {to_letter(values[2])})"
        if level >= 3:
            number += f" {to_roman(values[3])}."
        out.append(number)
    return out


def typed_number(number: str, level: int) -> str:
    """How a clause number is typed in the text: ``5.1 f)`` -> ``f)``, ``A 1.1`` -> ``1.1``."""
    match = _NUMBER_RE.match(number)
    if not match:
        return number
    if level >= 3 and match.group("roman"):
        return f"{match.group('roman')}."
    if level >= 2 and match.group("letter"):
        return f"{match.group('letter')})"
    if level >= 1 and match.group("clause"):
        return f"{match.group('section')}.{match.group('clause')}"
    return f"{match.group('section')}."


def version_docx(version, clauses: Sequence, *, addendum=None, trust_name: str = "") -> bytes:
    """The version as a .docx file (bytes). ``clauses`` in order; ``addendum`` optional."""
    policy = version.policy
    document = Document()
    document.core_properties.title = policy.title
    document.core_properties.subject = f"Version {version.label}"
    document.core_properties.author = trust_name or "Policy Portal"
    document.styles["Normal"].font.size = Pt(11)

    # Style ids looked up once: python-docx's lookup by name is slow (docs/load.md).
    style_ids = {name: document.styles[name].style_id
                 for name in ("Title", "Heading 1", "Heading 2", "List Paragraph")}

    def paragraph(text: str, style: str = ""):
        added = document.add_paragraph(text)
        if style:
            added._p.style = style_ids[style]
        return added

    if policy.category:
        paragraph(policy.category)
    paragraph(policy.title, "Title")
    rows = cover_rows(version.cover or {})
    if rows:
        table = document.add_table(rows=len(rows), cols=3)
        table.style = document.styles["Table Grid"]
        table.autofit = False
        widths = (Cm(8), Cm(4.5), Cm(3.5))
        for row, values in zip(table.rows, rows, strict=True):
            for cell, value, width in zip(row.cells, values, widths, strict=True):
                cell.text = value
                cell.width = width
    for line in (version.cover or {}).get("preamble") or []:
        paragraph(str(line))

    # Real Word lists when Word's counting gives the version's own numbers; a version whose
    # numbers Word could not produce (a gap, a number kept out of order) keeps them typed.
    use_lists = list_numbers(clauses) == [clause.number for clause in clauses]
    abstract = add_abstract_list(document) if use_lists else ""
    num_id = add_list(document, abstract) if use_lists else ""
    for clause in clauses:
        if _APPENDIX_RE.match(clause.number):
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            title = f" - {clause.text}" if clause.text else ""
            paragraph(f"Appendix {clause.number}{title}", "Heading 1")
            if use_lists:
                num_id = add_list(document, abstract, restart=True)
            continue
        level = min(max(clause.level, 0), 3)
        style = "Heading 2" if level == 0 else "List Paragraph"
        if use_lists:
            number_paragraph(paragraph(clause.text, style), num_id, level)
        else:
            paragraph(f"{typed_number(clause.number, level)} {clause.text}", style)

    if addendum is not None:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        paragraph(f"{ADDENDUM_HEADING}: {addendum.academy.name}", "Heading 1")
        state = addendum.get_status_display()
        paragraph(
            f"Local contacts and arrangements for {addendum.academy.name} ({state}). "
            "Not part of the trust's policy text."
        ).runs[0].italic = True
        for line in addendum.text.splitlines():
            paragraph(line)

    footer = document.sections[0].footer.paragraphs[0]
    footer.text = f"{policy.title} · version {version.label} ({version.get_status_display()})"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
