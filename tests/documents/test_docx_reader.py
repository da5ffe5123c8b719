"""Reading Word documents: numbering from Word's lists or typed, the cover sheet, and refusals."""

import datetime
import io
import zipfile

import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from documents.reader import DocumentReadError, docx_to_policy_text, policy_text_from_file
from policies.parsing import parse_policy_text
from tests.documents.wordfiles import (
    WORD_LISTS_CLAUSES,
    WordFile,
    policy_with_typed_numbers,
    policy_with_word_lists,
)


def _clauses(data: bytes):
    return parse_policy_text(docx_to_policy_text(data)).clauses


def test_word_list_numbers_become_the_clause_numbers():
    clauses = _clauses(policy_with_word_lists().bytes())
    assert [(c.number, c.text) for c in clauses] == WORD_LISTS_CLAUSES


def test_lettered_and_roman_levels_nest_under_their_clause():
    by_number = {c.number: c for c in _clauses(policy_with_word_lists().bytes())}
    assert by_number["1.2 b) ii."].parent_number == "1.2 b)"
    assert by_number["1.2 b)"].parent_number == "1.2"
    assert by_number["1.2 b) ii."].level == 3


def test_a_restarted_list_numbers_the_appendix_from_one():
    numbers = [c.number for c in _clauses(policy_with_word_lists().bytes())]
    assert numbers[-3:] == ["A", "A 1", "A 1.1"]


def test_a_list_continues_after_a_paragraph_a_table_and_under_another_instance():
    numbers = [c.number for c in _clauses(policy_with_word_lists().bytes())]
    assert numbers[8:12] == ["1.3", "1.4", "2", "2.1"]


def test_a_restart_at_another_value_starts_there():
    word = WordFile()
    word.abstract(80)
    word.num(81, 80, restart_at=4)
    word.para("Title line", style="Title")
    word.para("Fourth section", num=81, level=0)
    word.para("Its first clause", num=81, level=1)
    assert [c.number for c in _clauses(word.bytes())] == ["4", "4.1"]


def test_typed_numbers_import_like_word_list_numbers():
    typed = [(c.number, c.text) for c in _clauses(policy_with_typed_numbers().bytes())]
    assert typed == WORD_LISTS_CLAUSES[:7]


def test_numbering_that_comes_from_the_paragraph_style_is_read():
    word = WordFile()
    word.abstract(90)
    word.num(90, 90)
    word.para("Title line", style="Title")
    styles = word.document.styles
    for name, level in (("Heading 1", 0), ("Heading 2", 1)):
        styles[name].element.get_or_add_pPr().insert(0, parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
    word.para("Section from the style", style="Heading 1")
    word.para("Clause from the style", style="Heading 2")
    word.para("Clause with its own numbering", num=90, level=1)
    assert [c.number for c in _clauses(word.bytes())] == ["1", "1.1", "1.2"]


def test_the_cover_sheet_table_becomes_the_cover_sheet_fields():
    parsed = parse_policy_text(docx_to_policy_text(policy_with_word_lists().bytes()))
    assert parsed.title == "Lists Policy" and parsed.category == "Human Resources Policy"
    assert parsed.metadata["ceo_approval_by"] == "Sean Kelly"
    assert parsed.metadata["ceo_approval_month"] == datetime.date(2023, 9, 1)
    assert parsed.metadata["next_review_due"] == datetime.date(2025, 9, 1)


def test_bold_and_italic_words_are_kept_as_plain_text():
    word = WordFile()
    word.para("Title line", style="Title")
    word.para("1. Section")
    paragraph = word.para("1.1 Staff ")
    paragraph.add_run("must not").bold = True
    paragraph.add_run(" post ")
    paragraph.add_run("anything").italic = True
    paragraph.add_run(".")
    assert _clauses(word.bytes())[1].text == "Staff must not post anything."


def test_a_hyperlink_keeps_its_words_and_text_that_looks_like_markup_stays():
    from docx.opc.constants import RELATIONSHIP_TYPE

    word = WordFile()
    word.para("Title line", style="Title")
    word.para("1. Section")
    paragraph = word.para("1.1 Read the ")
    rid = word.document.part.relate_to("https://www.gov.uk/guidance",
                                       RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    paragraph._p.append(parse_xml(
        f'<w:hyperlink {nsdecls("w", "r")} r:id="{rid}"><w:r><w:t>DfE guidance</w:t></w:r>'
        "</w:hyperlink>"))
    paragraph.add_run(" on <b> tags & more.")
    assert _clauses(word.bytes())[1].text == "Read the DfE guidance on <b> tags & more."


def test_a_generated_table_of_contents_is_left_out():
    word = policy_with_typed_numbers()
    toc = word.document.paragraphs[2].insert_paragraph_before("1.\tPurpose\t3")
    toc.style = word.document.styles.add_style("TOC 1", 1)
    assert [c.number for c in _clauses(word.bytes())][:2] == ["1", "1.1"]


# --------------------------------------------------------------------------- refusals


def _with_tracked_insertion(word: WordFile) -> None:
    paragraph = word.para("1.3 ")
    paragraph._p.append(parse_xml(
        f'<w:ins {nsdecls("w")} w:id="1" w:author="HR" w:date="2026-11-01T10:00:00Z">'
        "<w:r><w:t>A clause typed with Track Changes on.</w:t></w:r></w:ins>"))


def test_tracked_changes_are_refused():
    word = policy_with_typed_numbers()
    _with_tracked_insertion(word)
    with pytest.raises(DocumentReadError, match="accept or reject the tracked changes first"):
        docx_to_policy_text(word.bytes())


def test_a_tracked_deletion_is_refused_too():
    word = policy_with_typed_numbers()
    word.document.paragraphs[-1]._p.append(parse_xml(
        f'<w:del {nsdecls("w")} w:id="2" w:author="HR" w:date="2026-11-01T10:00:00Z">'
        "<w:r><w:delText> and carers</w:delText></w:r></w:del>"))
    with pytest.raises(DocumentReadError, match="tracked changes \\(1\\)"):
        docx_to_policy_text(word.bytes())


def test_comments_left_in_the_document_are_refused():
    word = policy_with_typed_numbers()
    paragraph = word.document.paragraphs[-1]
    word.document.add_comment(paragraph.runs, text="Check this with the unions", author="HR")
    with pytest.raises(DocumentReadError, match="comments \\(1\\)"):
        docx_to_policy_text(word.bytes())


def _ole(*streams: str) -> bytes:
    """The start of an OLE compound file naming the given streams (as Word/Office write them)."""
    names = b"".join(name.encode("utf-16-le") + b"\x00\x00" for name in streams)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + names


def _odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("policy.doc", _ole("WordDocument", "1Table"), "older Word 97–2003 document (.doc)"),
    ("policy.docx", _ole("EncryptionInfo", "EncryptedPackage"), "protected with a password"),
    ("policy.odt", _odt(), "OpenDocument file (.odt)"),
    ("policy.pdf", b"%PDF-1.7\n1 0 obj\n", "this is a PDF"),
    ("policy.rtf", b"{\\rtf1\\ansi policy}", "Rich Text (.rtf)"),
    ("policy.docx", b"PK\x03\x04\x14\x00\x06\x00 truncated", "damaged"),
    ("policy.docx", b"not a zip at all", "damaged"),
])
def test_other_formats_and_damaged_files_are_refused_with_what_to_do(name, data, message):
    with pytest.raises(DocumentReadError, match=message.replace("(", r"\(").replace(")", r"\)")):
        policy_text_from_file(name, data)


def test_a_cut_off_word_file_is_refused_as_damaged():
    data = policy_with_word_lists().bytes()
    with pytest.raises(DocumentReadError, match="damaged"):
        policy_text_from_file("policy.docx", data[: len(data) // 2])


def test_a_plain_text_file_is_left_to_the_text_importer():
    assert policy_text_from_file("policy.txt", b"1. Section\n- 1.1 Clause\n") is None


def test_a_word_file_declaring_xml_entities_is_refused_as_damaged():
    data = policy_with_typed_numbers().bytes()
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":
                content = content.replace(
                    b"?>", b'?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>', 1)
            target.writestr(item, content)
    with pytest.raises(DocumentReadError, match="damaged"):
        docx_to_policy_text(buffer.getvalue())
