"""Parse plain-text policy documents into numbered clauses, and render them back.

The input form is the one of ``social-media-policy-2023.txt``::

    Human Resources Policy            <- category
    Social Media Policy               <- title
    CEO approval:<TAB>Sean Kelly<TAB>September 2023
    ...                               <- rest of the cover sheet
    Contents                          <- table of contents, skipped (it is regenerated)
    1.<TAB>Policy statement<TAB>3
    ...
    1. Policy statement               <- section, level 0
    - 1.1 We recognise ...            <- clause, level 1
     - a) breach our ICT User Policy; <- lettered item, level 2
      - i. our Academy / Trust;       <- roman item, level 3
    Appendix A - Guidance - ...       <- appendix divider "A", level 0
    1. Keeping safe on-line           <- appendix section "A 1", level 0
    - 1.1 Some social media ...       <- appendix clause "A 1.1", level 1

Indentation and bullets are not significant (the source is inconsistent about both); the
label decides the level. A bullet without a label continues the list above it, and a line
with neither is a continuation of the previous clause.

This module is pure Python: no Django, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from policies.checks import (
    ParseWarning,
    PolicyParseError,
    check_has_structure,
    check_is_text,
    ending_warnings,
    looks_like_csv,
    shrink_warnings,
)
from policies.cover import empty_cover, parse_month, read_cover_line, split_cover_line
from policies.numbers import (
    _FROM_ROMAN,
    _MAX_ROMAN,
    _Number,
    _parse_number,
    _to_roman,
    clause_anchor,
    section_of,
)

__all__ = [
    "ParseWarning",
    "ParsedClause",
    "ParsedPolicy",
    "PolicyParseError",
    "clause_anchor",
    "parse_body",
    "parse_clause_lines",
    "parse_month",
    "shrink_warnings",
    "parse_policy_text",
    "render_policy_text",
    "section_of",
]


@dataclass
class ParsedClause:
    number: str
    text: str
    level: int
    parent_number: str | None
    order: int
    heading: str = ""
    # Derived from ``number`` when left empty (a default is needed because ``heading`` has one).
    section: str = ""

    def __post_init__(self) -> None:
        if not self.section:
            self.section = section_of(self.number)

    @property
    def anchor(self) -> str:
        return clause_anchor(self.number)


@dataclass
class ParsedPolicy:
    """A document read as text: title, category, cover sheet (``metadata``, keys in
    ``policies.cover.COVER_FIELDS``), clauses in document order and warnings to confirm."""

    title: str
    category: str
    metadata: dict[str, object]
    clauses: list[ParsedClause] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)


class ClauseLike(Protocol):
    number: str
    text: str


# --------------------------------------------------------------------------- lines

_BULLET_RE = re.compile(r"^[-*\u2022\u2013](?:\s+(?P<rest>.*))?$")
# "Appendix A - Title" or a bare "Appendix A"; a wrapped line such as "Appendix B of the ICT
# policy ..." is ordinary text.
_APPENDIX_RE = re.compile(r"^Appendix\s+(?P<letter>[A-Z])(?:\s*[-\u2013\u2014:]\s*(?P<text>.*))?$")
_DEEP_RE = re.compile(r"^\d+\.\d+\.\d+")
_CLAUSE_RE = re.compile(r"^(?P<section>\d+)\.(?P<clause>\d+)\.?(?:\s+(?P<text>.*))?$")
_SECTION_RE = re.compile(r"^(?P<section>\d+)\.(?:\s+(?P<text>.*))?$")
_LETTER_RE = re.compile(r"^\(?(?P<letter>[a-z])\)(?:\s+(?P<text>.*))?$")
_ROMAN_RE = re.compile(r"^(?P<roman>[ivx]+)\.(?:\s+(?P<text>.*))?$")
_CONTENTS_RE = re.compile(r"^(?:table of )?contents:?$", re.IGNORECASE)
_PAGE_NUMBER_RE = re.compile(r"(?:\t|\.{2,}|\s{2,})\s*\d+\s*$")


def _normalise(line: str) -> str:
    # str.split() also splits on tabs and non-breaking spaces; dashes and quotes are kept.
    return " ".join(line.split())


def _split_bullet(line: str) -> tuple[bool, str]:
    match = _BULLET_RE.match(line)
    if match:
        return True, match.group("rest") or ""
    return False, line


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _heading_for(text: str, level: int) -> str:
    """Sections are headings; so is a clause like ``"10.4 Protecting our business reputation:"``.

    5.1's lead-in also ends with a colon, but it is sentences, not a heading.
    """
    if level == 0:
        return text
    if text.endswith(":") and not re.search(r"[.!?;]", text[:-1]):
        return text[:-1].rstrip()
    return ""


@dataclass
class _Draft:
    number: _Number
    parent: _Draft | None
    line_number: int
    parts: list[str]
    may_be_empty: bool = False  # only an appendix divider may lack a title

    @property
    def text(self) -> str:
        return " ".join(part for part in self.parts if part)


class _BodyParser:
    """Turns body lines into clauses, checking the numbering as it goes."""

    def __init__(self) -> None:
        self.drafts: list[_Draft] = []
        self.appendix = ""
        self.section: _Draft | None = None
        self.clause: _Draft | None = None
        self.item: _Draft | None = None  # the current lettered item
        self.first_use: dict[str, int] = {}
        #: Numbers out of sequence: kept in the document's order, for HR to confirm.
        self.warnings: list[ParseWarning] = []
        self.raw_lines: dict[int, str] = {}

    @property
    def last(self) -> _Draft | None:
        return self.drafts[-1] if self.drafts else None

    def feed(self, line_number: int, raw: str) -> None:
        line = _normalise(raw)
        if not line:
            return
        self.raw_lines[line_number] = line
        bulleted, rest = _split_bullet(line)

        if match := _APPENDIX_RE.match(rest):
            self._start_appendix(line_number, match.group("letter"), match.group("text"))
        elif _DEEP_RE.match(rest):
            raise PolicyParseError(
                f"clause number {rest.split()[0]!r} has more than two parts; use lettered "
                "items such as a) and roman items such as i. for deeper levels",
                line_number,
            )
        elif match := _CLAUSE_RE.match(rest):
            section, clause = int(match.group("section")), int(match.group("clause"))
            self._add_clause(line_number, section, clause, match.group("text"))
        elif match := _SECTION_RE.match(rest):
            self._add_section(line_number, int(match.group("section")), match.group("text"))
        elif match := _LETTER_RE.match(rest):
            self._add_letter(line_number, match.group("letter"), match.group("text"))
        elif (match := _ROMAN_RE.match(rest)) and match.group("roman") in _FROM_ROMAN:
            self._add_roman(line_number, _FROM_ROMAN[match.group("roman")], match.group("text"))
        elif bulleted:
            self._add_unlabelled_item(line_number, rest)
        elif self.last is None:
            raise PolicyParseError(
                f"text before the first numbered clause: {_shorten(line)!r}", line_number
            )
        else:
            self.last.parts.append(line)

    def finish(self) -> list[ParsedClause]:
        self._close_last()
        if not self.drafts:
            raise PolicyParseError(
                "no numbered clauses were found; a policy needs sections such as "
                "'1. Policy statement' followed by clauses such as '1.1 ...'"
            )
        clauses = []
        for order, draft in enumerate(self.drafts, start=1):
            text = draft.text
            level = draft.number.level
            clauses.append(
                ParsedClause(
                    number=draft.number.canonical(),
                    text=text,
                    level=level,
                    parent_number=draft.parent.number.canonical() if draft.parent else None,
                    order=order,
                    heading=_heading_for(text, level),
                    section=draft.number.section_number(),
                )
            )
        return clauses

    # -- adding items

    def _start_appendix(self, line_number: int, letter: str, text: str | None) -> None:
        self._add(line_number, _Number(appendix=letter), None, text, may_be_empty=True)
        self.appendix = letter
        self.section = self.clause = self.item = None

    def _add_section(self, line_number: int, section: int, text: str | None) -> None:
        number = _Number(appendix=self.appendix, section=section)
        self.section = self._add(line_number, number, None, text)
        self.clause = self.item = None

    def _add_clause(self, line_number: int, section: int, clause: int, text: str | None) -> None:
        number = _Number(appendix=self.appendix, section=section, clause=clause)
        # In a body without section headings a clause simply has no parent.
        parent = self.section if self.section and self.section.number.section == section else None
        self.clause = self._add(line_number, number, parent, text)
        self.item = None

    def _add_letter(self, line_number: int, letter: str, text: str | None) -> None:
        if self.clause is None:
            raise PolicyParseError(
                f"item {letter}) must come under a numbered clause such as '1.1'", line_number
            )
        number = _Number(
            appendix=self.appendix,
            section=self.clause.number.section,
            clause=self.clause.number.clause,
            letter=letter,
        )
        self.item = self._add(line_number, number, self.clause, text)

    def _add_roman(self, line_number: int, roman: int, text: str | None) -> None:
        if self.item is None:
            raise PolicyParseError(
                f"item {_to_roman(roman)}. must come under a lettered item such as 'a)'",
                line_number,
            )
        parent_number = self.item.number
        number = _Number(
            appendix=parent_number.appendix,
            section=parent_number.section,
            clause=parent_number.clause,
            letter=parent_number.letter,
            roman=roman,
        )
        self._add(line_number, number, self.item, text)

    def _add_unlabelled_item(self, line_number: int, text: str) -> None:
        """A bullet that lost its label (5.1's last item in the source) continues the list."""
        last = self.last
        level = last.number.level if last else 0
        if last is None or level == 0:
            raise PolicyParseError(
                "bullet point without a clause number; number it, e.g. '- 1.1 ...'",
                line_number,
            )
        if level == 1:
            self._add_letter(line_number, "a", text)
        elif level == 2:
            letter = last.number.letter or "a"
            if letter == "z":
                raise PolicyParseError("bullet point after item z) cannot be numbered", line_number)
            self._add_letter(line_number, chr(ord(letter) + 1), text)
        else:
            roman = (last.number.roman or 0) + 1
            if roman > _MAX_ROMAN:
                raise PolicyParseError("too many roman-numbered items", line_number)
            self._add_roman(line_number, roman, text)

    def _add(
        self,
        line_number: int,
        number: _Number,
        parent: _Draft | None,
        text: str | None,
        *,
        may_be_empty: bool = False,
    ) -> _Draft:
        self._close_last()
        canonical = number.canonical()
        last = self.last
        message = ""
        if canonical in self.first_use:
            message = (
                f"clause {canonical} appears twice (it is already used on line "
                f"{self.first_use[canonical]})"
            )
        elif last is not None and number.key() <= last.number.key():
            # The trust's own document: kept in its order, for HR to confirm.
            self.warnings.append(ParseWarning(
                "order", f"clause {canonical} comes after {last.number.canonical()}; "
                "clause numbers usually go up", line_number,
                self.raw_lines.get(line_number, "")))
        if message:
            if number.level == 0 and number.section is not None:
                # Section numbers starting again usually mean an appendix without its title line.
                next_appendix = chr(ord(self.appendix) + 1) if self.appendix else "A"
                message += (
                    f" (if an appendix starts here, put 'Appendix {next_appendix} - <title>' "
                    "above it)"
                )
            raise PolicyParseError(message, line_number)
        self.first_use[canonical] = line_number
        draft = _Draft(number, parent, line_number, [text or ""], may_be_empty)
        self.drafts.append(draft)
        return draft

    def _close_last(self) -> None:
        last = self.last
        if last is None or last.text or last.may_be_empty:
            return
        raise PolicyParseError(
            f"clause {last.number.canonical()} is empty; add its text or remove it",
            last.line_number,
        )


# --------------------------------------------------------------------------- whole-text checks


def _not_a_policy(error: PolicyParseError, text: str) -> PolicyParseError:
    """Replace a confusing line-level error with a plain one when the file is a spreadsheet."""
    has_clauses = any(_is_structural(_normalise(line)) for line in text.splitlines())
    if not has_clauses and looks_like_csv(text):
        return PolicyParseError(
            "this looks like a spreadsheet (comma-separated values), not a policy document; "
            "no numbered clauses were found"
        )
    return error


# --------------------------------------------------------------------------- public API


def _is_structural(line: str) -> bool:
    bulleted, rest = _split_bullet(line)
    return bulleted or any(
        pattern.match(rest) for pattern in (_APPENDIX_RE, _CLAUSE_RE, _SECTION_RE)
    )


def _toc_key(line: str, appendix_count: int) -> tuple[int, ...] | None:
    if match := _CLAUSE_RE.match(line):
        return (appendix_count, int(match.group("section")), int(match.group("clause")))
    if match := _SECTION_RE.match(line):
        return (appendix_count, int(match.group("section")))
    return None


def _find_body_start(lines: list[str], start: int) -> int:
    """Index of the first body line after a "Contents" line at ``start - 1``.

    Table-of-contents entries look like section headings, so the body is recognised by the
    numbering starting again, by a bulleted clause, or by a heading without a page number
    that is followed directly by one of its clauses.
    """
    appendix_count = 0
    last_key: tuple[int, ...] | None = None
    for index in range(start, len(lines)):
        raw = lines[index]
        line = _normalise(raw)
        if not line:
            continue
        if _split_bullet(line)[0]:
            return index
        if _APPENDIX_RE.match(line):
            appendix_count += 1
            key: tuple[int, ...] | None = (appendix_count,)
        else:
            key = _toc_key(line, appendix_count)
        if key is None:
            continue  # an unnumbered entry such as "Introduction .... 2"
        if last_key is not None and key <= last_key:
            return index
        if not _PAGE_NUMBER_RE.search(raw) and _next_is_clause_of(lines, index + 1, line):
            return index
        last_key = key
    return len(lines)


def _next_is_clause_of(lines: list[str], start: int, heading: str) -> bool:
    section = heading.split(".", 1)[0]
    for raw in lines[start:]:
        line = _normalise(raw)
        if line:
            bulleted, rest = _split_bullet(line)
            match = _CLAUSE_RE.match(rest)
            return bulleted or bool(match and match.group("section") == section)
    return False


def parse_policy_text(text: str) -> ParsedPolicy:
    """Parse a whole policy document: title, category, cover sheet and clauses."""
    check_is_text(text)
    try:
        return _parse_policy_text(text)
    except PolicyParseError as error:
        raise _not_a_policy(error, text) from None


def _parse_policy_text(text: str) -> ParsedPolicy:
    lines = text.lstrip("\ufeff").splitlines()
    metadata = empty_cover()
    extra: dict[str, str] = {}
    before_fields: list[str] = []
    after_fields: list[str] = []
    seen_field = False
    contents: tuple[int, int] | None = None  # the contents list's lines [start, end)

    body_start = len(lines)
    index = 0
    while index < len(lines):
        raw = lines[index]
        line = _normalise(raw)
        index += 1
        if not line:
            continue
        if _CONTENTS_RE.match(line):
            body_start = _find_body_start(lines, index)
            contents = (index, body_start)
            break
        if _is_structural(line):
            body_start = index - 1
            break
        kind, label, values = split_cover_line(raw)
        if kind is not None:
            seen_field = True
            try:
                read_cover_line(metadata, kind, label, values)
            except ValueError as error:
                raise PolicyParseError(str(error), index) from None
        elif "\t" in raw:
            seen_field = True
            extra[label] = " ".join(values)
        else:
            (after_fields if seen_field else before_fields).append(line)

    parser = _BodyParser()
    for number, raw in enumerate(lines[body_start:], start=body_start + 1):
        parser.feed(number, raw)
    clauses = parser.finish()
    check_has_structure(clauses)

    # The lines above the cover sheet are "<category>", "<title>" (e.g. "Human Resources Policy",
    # "Social Media Policy"); anything else is kept rather than dropped.
    title = before_fields[-1] if before_fields else ""
    category = before_fields[-2] if len(before_fields) >= 2 else ""
    preamble = before_fields[:-2] + after_fields
    if extra:
        metadata["extra"] = extra
    if preamble:
        metadata["preamble"] = preamble
    warnings = list(parser.warnings)
    if contents is not None:
        warnings += _contents_warnings(lines, contents, clauses)
    warnings += ending_warnings(clauses, parser.drafts[-1].line_number, lines)
    return ParsedPolicy(title=title, category=category, metadata=metadata, clauses=clauses,
                        warnings=warnings)


def _contents_warnings(lines: list[str], contents: tuple[int, int],
                       clauses: list[ParsedClause]) -> list[ParseWarning]:
    """Sections the contents list names that the text does not have (before any appendix)."""
    present = {c.number for c in clauses if c.level == 0}
    warnings = []
    for index in range(*contents):
        line = _normalise(lines[index])
        if _APPENDIX_RE.match(line):
            break
        match = _SECTION_RE.match(line)
        if match is None:
            continue
        title = _PAGE_NUMBER_RE.sub("", lines[index]).strip()
        title = _normalise(title.split(".", 1)[1] if "." in title else title)
        if match.group("section") not in present:
            warnings.append(ParseWarning(
                "contents", f"the contents list names section {match.group('section')} "
                f"{title!r} but the text has no section {match.group('section')}; the file may "
                "be incomplete", index + 1, line))
    return warnings


def parse_clause_lines(text: str) -> list[ParsedClause]:
    """Parse a document body (sections and clauses only), e.g. from a "replace all" editor."""
    return parse_body(text)[0]


def parse_body(text: str) -> tuple[list[ParsedClause], list[ParseWarning]]:
    """``parse_clause_lines`` with the numbers out of sequence it kept (as warnings)."""
    check_is_text(text)
    try:
        parser = _BodyParser()
        for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
            parser.feed(number, raw)
        return parser.finish(), parser.warnings
    except PolicyParseError as error:
        raise _not_a_policy(error, text) from None


def render_policy_text(clauses: Iterable[ClauseLike]) -> str:
    """Render clauses (anything with ``.number`` and ``.text``) as a plain-text body.

    ``parse_clause_lines(render_policy_text(clauses))`` gives the clauses back.
    """
    out: list[str] = []
    for clause in clauses:
        number = _parse_number(clause.number)
        text = _normalise(clause.text)
        if number.level == 0:
            if out and out[-1]:
                out.append("")
            if number.section is None:
                title = f" - {text}" if text else ""
                out.append(f"Appendix {number.appendix}{title}")
            else:
                out.append(f"{number.section}. {text}")
            out.append("")
        elif number.level == 1:
            out.append(f"- {number.section}.{number.clause} {text}")
        elif number.level == 2:
            out.append(f" - {number.letter}) {text}")
        else:
            out.append(f"   - {_to_roman(number.roman or 0)}. {text}")
    while out and not out[-1]:
        out.pop()
    return "\n".join(line.rstrip() for line in out) + "\n"
