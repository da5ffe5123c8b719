"""Checks of a policy document against itself and against the version before: what the
import refuses (not text, no real structure) and what HR must confirm (``ParseWarning``).
Pure Python: no Django, no database."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from core.errors import Refused


def _normalise(line: str) -> str:
    return " ".join(line.split())


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


class PolicyParseError(Refused, ValueError):
    """The text is not a policy document we can read; ``line_number`` is 1-based or None."""


@dataclass(frozen=True)
class ParseWarning:
    """Something HR must confirm before importing the document as written.

    ``kind``: "order" (a number out of sequence), "contents" (a section the contents list
    names that the text lacks), "truncated" (the last clause stops mid-sentence), "shrunk" (far
    fewer clauses than the current version). ``line_number`` is 1-based or None; ``line`` is the
    text of that line as written."""

    kind: str
    message: str
    line_number: int | None = None
    line: str = ""

    def as_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "line_number": self.line_number,
                "line": self.line}


def check_is_text(text: str) -> None:
    if not text.strip():
        raise PolicyParseError("the document is empty")
    allowed = "\t\n\r\f\v"
    # Bytes decoded as Latin-1, or as UTF-8 with errors="replace"/"surrogateescape", show up
    # as control characters, replacement characters or lone surrogates.
    suspicious = sum(
        1
        for char in text
        if char == "\ufffd"
        or (unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn") and char not in allowed)
    )
    if "\x00" in text or suspicious > max(2, len(text) // 100):
        raise PolicyParseError(
            "this is not a plain-text document (it contains binary data); "
            "if it is a Word or PDF file, save it as plain text first"
        )


def looks_like_csv(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    try:
        rows = list(csv.reader(io.StringIO("\n".join(lines))))
    except csv.Error:
        return False
    widths = [len(row) for row in rows]
    return min(widths) >= 2 and widths.count(widths[0]) >= 0.8 * len(widths)


_ENDS_SENTENCE_RE = re.compile(r"""[.!?;:)\]"'\u201d\u2019]$""")


def ending_warnings(clauses: list, line_number: int,
                     lines: list[str]) -> list[ParseWarning]:
    """A document whose last clause stops mid-sentence was probably cut short."""
    last = clauses[-1]
    if last.level == 0 or not _ENDS_SENTENCE_RE.search(last.text):
        return [ParseWarning(
            "truncated", f"the last clause, {last.number}, ends \u201c\u2026"
            f"{last.text[-40:]}\u201d without a full stop; the file may have been cut short",
            line_number, _normalise(lines[line_number - 1]) if line_number <= len(lines) else "")]
    return []


_WORD_RE = re.compile(r"[^\W\d_]{2,}")


def check_has_structure(clauses: list) -> None:
    """Refuse text that only looks numbered: clauses without words, or no sentence anywhere."""
    for clause in clauses:
        if clause.text and not _WORD_RE.search(clause.text):
            raise PolicyParseError(
                f"clause {clause.number} has no words ({_shorten(clause.text)!r}); this does "
                "not look like a policy document"
            )
    if not any(len(_WORD_RE.findall(c.text)) >= 3 for c in clauses if c.level >= 1):
        raise PolicyParseError(
            "no clause has a sentence of text; a policy needs sections such as "
            "'1. Policy statement' followed by clauses such as '1.1 This policy ...'"
        )


def shrink_warnings(clauses: list, previous_count: int, previous_label: str
                    ) -> list[ParseWarning]:
    """Far fewer clauses than the current version (below four-fifths) is worth confirming."""
    if previous_count and len(clauses) < 0.8 * previous_count:
        return [ParseWarning(
            "shrunk", f"this document has {len(clauses)} clauses where the current version "
            f"{previous_label} has {previous_count}; check that nothing was lost")]
    return []
