"""Clause numbers as the trust's documents write them: ``5.1 f)``, ``10.4 a) i.``, ``A 3.2``.

Pure Python (no Django): split, order, render and anchor clause numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --------------------------------------------------------------------------- numbers

_ROMAN_VALUES = (("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))
_MAX_ROMAN = 39  # i. .. xxxix. is plenty for sub-items


def _to_roman(value: int) -> str:
    out = []
    for symbol, amount in _ROMAN_VALUES:
        while value >= amount:
            out.append(symbol)
            value -= amount
    return "".join(out)


_FROM_ROMAN = {_to_roman(n): n for n in range(1, _MAX_ROMAN + 1)}


@dataclass(frozen=True)
class _Number:
    """A clause number split into its parts; ``appendix`` is "" outside appendices."""

    appendix: str = ""
    section: int | None = None
    clause: int | None = None
    letter: str | None = None
    roman: int | None = None

    @property
    def level(self) -> int:
        if self.roman is not None:
            return 3
        if self.letter is not None:
            return 2
        if self.clause is not None:
            return 1
        return 0

    @property
    def prefix(self) -> str:
        return f"{self.appendix} " if self.appendix else ""

    def canonical(self) -> str:
        if self.section is None:
            return self.appendix
        text = f"{self.prefix}{self.section}"
        if self.clause is not None:
            text += f".{self.clause}"
        if self.letter is not None:
            text += f" {self.letter})"
        if self.roman is not None:
            text += f" {_to_roman(self.roman)}."
        return text

    def key(self) -> tuple[int, ...]:
        """Document-order key: every number must sort strictly after the one before it."""
        parts = [ord(self.appendix) - ord("A") + 1 if self.appendix else 0]
        for part in (self.section, self.clause, self.letter, self.roman):
            if part is None:
                break
            parts.append(ord(part) - ord("a") + 1 if isinstance(part, str) else part)
        return tuple(parts)

    def section_number(self) -> str:
        if self.section is None:
            return self.appendix
        return f"{self.prefix}{self.section}"


_CANONICAL_RE = re.compile(
    r"^(?:(?P<appendix>[A-Z])(?:\s+|$))?"
    r"(?:(?P<section>\d+)(?:\.(?P<clause>\d+))?)?"
    r"(?:\s+(?P<letter>[a-z])\))?"
    r"(?:\s+(?P<roman>[ivx]+)\.)?$"
)


def _parse_number(number: str) -> _Number:
    match = _CANONICAL_RE.match(" ".join(number.split()))
    if not match or not number.strip():
        raise ValueError(f"Not a clause number: {number!r}")
    appendix, section, clause, letter, roman = match.group(
        "appendix", "section", "clause", "letter", "roman"
    )
    if roman is not None and roman not in _FROM_ROMAN:
        raise ValueError(f"Not a clause number: {number!r}")
    # A letter needs a clause and a roman needs a letter; "A" alone is an appendix divider.
    if (letter and not clause) or (roman and not letter) or (section is None and not appendix):
        raise ValueError(f"Not a clause number: {number!r}")
    return _Number(
        appendix=appendix or "",
        section=int(section) if section is not None else None,
        clause=int(clause) if clause is not None else None,
        letter=letter,
        roman=_FROM_ROMAN[roman] if roman else None,
    )


def section_of(number: str) -> str:
    """The top-level section a clause belongs to: ``"10.4 a) i."`` -> ``"10"``."""
    return _parse_number(number).section_number()


def clause_anchor(number: str) -> str:
    """A URL-fragment slug: ``"5.1 f)"`` -> ``"5.1-f"``, ``"A 3.2"`` -> ``"A-3.2"``."""
    parts = [part.rstrip(").") for part in number.split()]
    return "-".join(part for part in parts if part)
