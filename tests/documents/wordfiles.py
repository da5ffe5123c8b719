"""Word documents for the tests, built with python-docx and real numbering definitions.

Written independently of ``documents.writer`` (raw ``numbering.xml`` elements), so the reader
is tested against files it did not write.
"""

from __future__ import annotations

import io

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

#: Section "1.", clause "1.1", lettered "a)", roman "i.".
POLICY_LEVELS = [("decimal", "%1."), ("decimal", "%1.%2"), ("lowerLetter", "%3)"),
                 ("lowerRoman", "%4.")]


class WordFile:
    """A small .docx built paragraph by paragraph."""

    def __init__(self) -> None:
        self.document = Document()
        self.numbering = self.document.part.numbering_part.element

    # ------------------------------------------------------------------ numbering.xml

    def abstract(self, abstract_id: int, levels=POLICY_LEVELS, *, style_link: str = "") -> int:
        lvls = "".join(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{720 * (i + 1)}" w:hanging="720"/></w:pPr></w:lvl>'
            for i, (fmt, text) in enumerate(levels)
        )
        element = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
            f'<w:multiLevelType w:val="multilevel"/>{lvls}</w:abstractNum>'
        )
        self.numbering.find(qn("w:num")).addprevious(element)
        return abstract_id

    def num(self, num_id: int, abstract_id: int, *, restart_at: int | None = None) -> int:
        override = (
            f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{restart_at}"/></w:lvlOverride>'
            if restart_at is not None else ""
        )
        self.numbering.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
            f"{override}</w:num>"
        ))
        return num_id

    # ------------------------------------------------------------------ content

    def para(self, text: str = "", *, num: int | None = None, level: int = 0,
             style: str | None = None):
        paragraph = self.document.add_paragraph(text, style=style)
        if num is not None:
            paragraph._p.get_or_add_pPr().insert(0, parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/>'
                "</w:numPr>"
            ))
        return paragraph

    def cover(self, rows: list[list[str]]) -> None:
        table = self.document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for row, values in zip(table.rows, rows, strict=True):
            for cell, value in zip(row.cells, values, strict=False):
                cell.text = value

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def policy_with_word_lists() -> WordFile:
    """Two sections, lettered and roman items, an appendix that restarts the list, and a list
    continued after a paragraph, a table and under a second list instance."""
    word = WordFile()
    word.abstract(70)
    body = word.num(70, 70)
    continued = word.num(71, 70)  # same abstract list, no override: carries on counting
    appendix = word.num(72, 70, restart_at=1)  # "Restart at 1"
    word.para("Human Resources Policy")
    word.para("Lists Policy", style="Title")
    word.cover([
        ["CEO approval:", "Sean Kelly", "September 2023"],
        ["LGB Cluster ratification", "", ""],
        ["Last reviewed on:", "September 2023", ""],
        ["Next review due by:", "September 2025", ""],
    ])
    word.para("Purpose", num=body, level=0, style="Heading 1")
    word.para("This policy sets out what staff must do.", num=body, level=1)
    word.para("Staff must not post:", num=body, level=1)
    word.para("anything offensive;", num=body, level=2)
    word.para("anything about:", num=body, level=2)
    word.para("pupils;", num=body, level=3)
    word.para("parents.", num=body, level=3)
    word.para("or anything confidential.", num=body, level=2)
    word.para("A paragraph without a number continues the clause above.")
    word.para("After an unnumbered paragraph the list carries on.", num=body, level=1)
    word.cover([["Platform", "Allowed"], ["Facebook", "With approval"]])
    word.para("After a table the list carries on.", num=continued, level=1)
    word.para("Review", num=continued, level=0, style="Heading 1")
    word.para("This policy is reviewed every two years.", num=continued, level=1)
    word.para("Appendix A - Guidance", style="Heading 1")
    word.para("Keeping safe", num=appendix, level=0, style="Heading 2")
    word.para("Set privacy to the highest level.", num=appendix, level=1)
    return word


#: What ``policy_with_word_lists`` says, as (number, text).
WORD_LISTS_CLAUSES = [
    ("1", "Purpose"),
    ("1.1", "This policy sets out what staff must do."),
    ("1.2", "Staff must not post:"),
    ("1.2 a)", "anything offensive;"),
    ("1.2 b)", "anything about:"),
    ("1.2 b) i.", "pupils;"),
    ("1.2 b) ii.", "parents."),
    ("1.2 c)", "or anything confidential. A paragraph without a number continues the clause "
               "above."),
    ("1.3", "After an unnumbered paragraph the list carries on. Platform | Allowed Facebook | "
            "With approval"),
    ("1.4", "After a table the list carries on."),
    ("2", "Review"),
    ("2.1", "This policy is reviewed every two years."),
    ("A", "Guidance"),
    ("A 1", "Keeping safe"),
    ("A 1.1", "Set privacy to the highest level."),
]


def policy_with_typed_numbers() -> WordFile:
    """The same policy with its numbers typed in the text, as many trust documents are."""
    word = WordFile()
    word.para("Human Resources Policy")
    word.para("Lists Policy", style="Title")
    word.para("1. Purpose", style="Heading 1")
    word.para("1.1 This policy sets out what staff must do.")
    word.para("1.2 Staff must not post:")
    word.para("a) anything offensive;")
    word.para("b) anything about:")
    word.para("i. pupils;")
    word.para("ii. parents.")
    return word


# --------------------------------------------------------------------------- editing an export

def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def save_docx(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def paragraph_starting(document, text: str):
    matches = [p for p in document.paragraphs if p.text.startswith(text)]
    assert len(matches) == 1, f"{len(matches)} paragraphs start with {text!r}"
    return matches[0]


def insert_list_paragraph_after(paragraph, text: str):
    """A new paragraph after ``paragraph`` in the same list and level, as pressing Enter at
    the end of a numbered paragraph in Word does; Word renumbers the paragraphs after it."""
    import copy

    new = copy.deepcopy(paragraph._p)
    for child in list(new):
        if child.tag != qn("w:pPr"):
            new.remove(child)
    paragraph._p.addnext(new)
    new.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve">{text}</w:t></w:r>'))
    return new


def remove_paragraph(paragraph) -> None:
    paragraph._p.getparent().remove(paragraph._p)


def set_text(paragraph, text: str) -> None:
    for run in paragraph.runs[1:]:
        run._r.getparent().remove(run._r)
    paragraph.runs[0].text = text


NEW_CLAUSE = "Staff must not use AI tools to create images of pupils, parents or colleagues."


def edit_like_hr(data: bytes) -> bytes:
    """HR's edits to an export of the seed: a clause changed (4.2), one added after 3.2 (so
    Word renumbers 3.3 and 3.4), one removed (6.2, so 6.3 and 6.4 move up)."""
    document = open_docx(data)
    changed = paragraph_starting(document, "All managers have a specific responsibility")
    set_text(changed, changed.text.replace("All managers", "All managers and Principals"))
    insert_list_paragraph_after(paragraph_starting(document, "It applies to the use of social"),
                                NEW_CLAUSE)
    remove_paragraph(paragraph_starting(document, "While using social media at work"))
    return save_docx(document)
