"""Read a Word document (.docx) as the plain-text policy format ``policies.parsing`` reads.

The result is exactly what HR would have typed in the text form: category and title lines,
the cover sheet as ``label<TAB>value<TAB>value`` lines (from the cover-sheet table), then one
line per paragraph, numbered paragraphs starting with the number Word shows for them
(``1.``, ``- 1.1``, `` - a)``, ``   - i.``). The policy importer then parses, checks and
previews it like any text, so a Word file gets the same checks and errors as a text file.

Refused with a message saying what to do: tracked changes or comments left in the file,
older or other formats (.doc, .odt, .rtf, .pdf), password-protected and damaged files.
Nothing here touches the database.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from docx import Document
from docx.oxml.ns import qn
from docx2python import docx2python

from core.errors import Refused
from documents.wordlists import ListItem, Numbering, to_letter, to_roman

__all__ = ["DocumentReadError", "MAX_WORD_BYTES", "docx_to_policy_text", "policy_text_from_file"]

#: Word files carry styles and images: allow more than the 2 MB of a text import.
MAX_WORD_BYTES = 10 * 1024 * 1024
#: A zip that unpacks to more than this is not a policy (and might be a zip bomb).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
WORD_SUFFIXES = (".docx", ".docm", ".dotx", ".doc", ".odt", ".ott", ".rtf", ".pdf")

#: The heading an export gives the academy addendum appendix; reading stops there (addenda
#: are kept per academy, not in the policy's text).
ADDENDUM_HEADING = "Academy addendum"

SAVE_AS_DOCX = "open it in Word (or LibreOffice) and save it as a Word Document (.docx)"


class DocumentReadError(Refused, ValueError):
    """The file is not a Word document the portal can read; ``message`` says what to do."""


def policy_text_from_file(name: str, data: bytes) -> str | None:
    """The policy text of an uploaded word-processor file, or None for a plain-text file.

    Raises ``DocumentReadError`` for a word-processor file the portal cannot read.
    """
    lower = (name or "").lower()
    if data.startswith(b"%PDF") or lower.endswith(".pdf"):
        raise DocumentReadError(
            "this is a PDF; the portal cannot read a policy's numbering from a PDF. Upload the "
            "Word document the PDF was made from (.docx), or the text"
        )
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise DocumentReadError(
                "this Word document is protected with a password, so it cannot be read. In "
                "Word choose File › Info › Protect Document › Encrypt with Password, clear the "
                "password, save, and upload it again"
            )
        raise DocumentReadError(
            f"this is an older Word 97–2003 document (.doc); {SAVE_AS_DOCX}, then upload that"
        )
    if data.startswith(b"{\\rtf") or lower.endswith(".rtf"):
        raise DocumentReadError(f"this is a Rich Text (.rtf) file; {SAVE_AS_DOCX}")
    if data.startswith(ZIP_MAGIC) or lower.endswith(WORD_SUFFIXES):
        return docx_to_policy_text(data)
    return None


def docx_to_policy_text(data: bytes) -> str:
    """The policy text of a .docx file (see the module docstring)."""
    if len(data) > MAX_WORD_BYTES:
        raise DocumentReadError(
            f"the file is larger than {MAX_WORD_BYTES // (1024 * 1024)} MB; remove pictures "
            "or save a copy without them"
        )
    _check_package(data)
    try:
        document = Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - python-docx raises many kinds for a damaged package
        raise DocumentReadError(_damaged()) from None
    _refuse_revisions(document)
    try:
        with docx2python(io.BytesIO(data), html=False) as content:
            paragraphs = [
                par for table in content.body_pars for row in table for cell in row
                for par in cell
            ]
    except Exception:  # noqa: BLE001 - the same package, read again for its text
        raise DocumentReadError(_damaged()) from None
    return _Renderer(Numbering(document)).render(paragraphs)


# --------------------------------------------------------------------------- refusals


def _damaged() -> str:
    return (
        "the file is damaged or is not a Word document (it could not be opened as .docx); "
        f"{SAVE_AS_DOCX} and upload it again"
    )


def _check_package(data: bytes) -> None:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        names = set(package.namelist())
        mimetype = package.read("mimetype")[:100] if "mimetype" in names else b""
        unpacked = sum(info.file_size for info in package.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise DocumentReadError(
                "the document unpacks to more than 100 MB; it is not a policy")
        # Word never writes a DTD; one in a part can only be an entity expansion attack.
        declares = any(_declares_dtd(package.read(name))
                       for name in names if name.endswith((".xml", ".rels")))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, zlib.error):
        raise DocumentReadError(_damaged()) from None
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise DocumentReadError(
            "this is an OpenDocument file (.odt); in LibreOffice choose File › Save As and the "
            "type Word 2007–365 (.docx), then upload that"
        )
    if "word/document.xml" not in names:
        kind = "a spreadsheet" if "xl/workbook.xml" in names else (
            "a presentation" if "ppt/presentation.xml" in names else "not a Word document")
        raise DocumentReadError(
            f"this file is {kind}; upload the policy as a Word document (.docx) or as text"
        )
    if declares:
        raise DocumentReadError(_damaged())


def _declares_dtd(xml: bytes) -> bool:
    return b"<!DOCTYPE" in xml or b"<!ENTITY" in xml


#: Revision marks Word leaves while Track Changes is on (text and formatting changes).
_REVISIONS = (
    "w:ins", "w:del", "w:moveFrom", "w:moveTo", "w:rPrChange", "w:pPrChange",
    "w:sectPrChange", "w:tblPrChange", "w:trPrChange", "w:tcPrChange", "w:numberingChange",
    "w:cellIns", "w:cellDel", "w:cellMerge",
)


def _refuse_revisions(document) -> None:
    body = document.element.body
    changes = sum(1 for tag in _REVISIONS for _ in body.iter(qn(tag)))
    if changes:
        raise DocumentReadError(
            f"the document still has tracked changes ({changes}); accept or reject the tracked "
            "changes first (in Word: Review › Accept › Accept All Changes, or Reject), save it "
            "and upload it again. Nothing was imported"
        )
    comments = sum(1 for _ in body.iter(qn("w:commentReference")))
    try:
        comments = max(comments, len(document.comments))
    except (AttributeError, KeyError, NotImplementedError):  # no comments part
        pass
    if comments:
        raise DocumentReadError(
            f"the document still has comments ({comments}); resolve and delete them first (in "
            "Word: Review › Delete › Delete All Comments in Document), save it and upload it "
            "again. Nothing was imported"
        )


# --------------------------------------------------------------------------- rendering

#: docx2python's placeholders for pictures and note references: not policy text.
_PLACEHOLDER_RE = re.compile(r"----(?:media/[^\s]*?|Image alt text---->.*?<|(?:footnote|endnote"
                             r"|comment)\d+)----")
#: docx2python writes a hyperlink as an HTML anchor even without html=True: keep its words.
_HYPERLINK_RE = re.compile(r'<a href="[^"<>]*">(.*?)</a>', re.DOTALL)
_STARTS_BODY_RE = re.compile(r"^\s*(?:\d+\.|Appendix\s+[A-Z]\b|(?:table of )?contents\b)",
                             re.IGNORECASE)


def list_label(item: ListItem) -> str:
    """The number of a list paragraph in the form the text format uses.

    Lettered and roman levels become ``a)`` and ``i.`` whatever decoration the level text
    adds (``(a)``, ``a.``); decimal levels keep the decimal parts their level text shows
    (``%1.%2`` -> ``10.4``, ``%1.`` -> ``10.``). Anything else is rendered as Word shows it.
    """
    if item.fmt == "lowerLetter":
        return f"{to_letter(item.value)})"
    if item.fmt == "lowerRoman":
        return f"{to_roman(item.value)}."
    if item.fmt == "decimal":
        shown = [int(level) - 1 for level in re.findall(r"%(\d)", item.level_text)]
        parts = [item.values[level] for level in shown
                 if level < len(item.values) and item.formats[level] == "decimal"]
        if len(parts) == len(shown) == 1:
            return f"{parts[0]}."
        if len(parts) == len(shown) == 2:
            return f"{parts[0]}.{parts[1]}"
    return item.rendered().strip()


class _Renderer:
    def __init__(self, numbering: Numbering) -> None:
        self.numbering = numbering
        self.lines: list[str] = []
        self.in_body = False
        self.row_key: tuple | None = None
        self.row_cells: list[list[str]] = []

    def render(self, paragraphs) -> str:
        for par in paragraphs:
            item = self.numbering.item(par.elem) if par.elem is not None else None
            strings = list(par.run_strings)
            if par.list_position[0] is not None and strings:
                strings = strings[1:]  # docx2python's own rendering of the list number
            text = _HYPERLINK_RE.sub(r"\1", _PLACEHOLDER_RE.sub("", "".join(strings)))
            style = par.style or ""
            if style.replace(" ", "").upper().startswith(("TOC", "TABLEOFCONTENTS")):
                continue  # a generated table of contents: the body has the same headings
            if style.startswith("Heading") and text.strip().startswith(ADDENDUM_HEADING):
                break
            if par.lineage[1] == "tbl":
                self._table_paragraph(par, item, text)
                continue
            self._flush_row()
            self._paragraph(item, text)
        self._flush_row()
        while self.lines and not self.lines[-1].strip():
            self.lines.pop()
        return "\n".join(self.lines) + "\n"

    def _paragraph(self, item: ListItem | None, text: str) -> None:
        if item is None:
            # Typed numbers, headings, continuation paragraphs: as they are. A soft line
            # break may separate typed clauses, so it stays a line break.
            for line in text.split("\n"):
                if _STARTS_BODY_RE.match(line):
                    self.in_body = True
                self.lines.append(line.rstrip())
            return
        self.in_body = True
        text = " ".join(text.split())
        if item.is_bullet:
            self.lines.append(f"- {text}")
            return
        label = list_label(item)
        bullet = "- " * (item.ilvl > 0 or "." in label.rstrip("."))
        indent = " " * max(item.ilvl - 1, 0)
        self.lines.append(f"{indent}{bullet}{label} {text}".rstrip())

    def _table_paragraph(self, par, item: ListItem | None, text: str) -> None:
        """Cells of a table: the cover sheet's rows become tab-separated lines; rows of a
        table in the body become lines of text (cells separated by " | ")."""
        # Compared by identity: lxml hands back the same proxy while a reference is held.
        cell = par.elem.getparent() if par.elem is not None else None
        row = cell.getparent() if cell is not None else None
        if row is None or row is not self.row_key:
            self._flush_row()
            self.row_key = row
        if not self.row_cells or self.row_cells[-1][0] is not cell:
            self.row_cells.append([cell])
        if item is not None and not item.is_bullet:
            text = f"{list_label(item)} {text}"
        self.row_cells[-1].append(" ".join(text.split()))

    def _flush_row(self) -> None:
        if not self.row_cells:
            return
        cells = [" ".join(part for part in parts[1:] if part) for parts in self.row_cells]
        self.row_cells, self.row_key = [], None
        if not any(cells):
            return
        if self.in_body:
            self.lines.append(" | ".join(cell for cell in cells if cell))
        else:
            self.lines.append("\t".join(cells))
