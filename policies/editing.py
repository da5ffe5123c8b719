"""Clause-by-clause editing helpers: renumbering and moving, on plain (number, text) lists.

Pure Python like ``parsing``: the services turn the result back into clauses and re-parse it,
so every edit is checked by the same rules as an import (numbers go up, no empty clause).
"""

from __future__ import annotations

from dataclasses import dataclass

from policies.parsing import _parse_number, _to_roman


@dataclass
class Entry:
    """A clause as the editor sees it: its level decides its number after renumbering."""

    level: int
    text: str
    #: The appendix letter for an appendix divider ("A"), else "".
    divider: str = ""
    #: The section of a clause that has no section heading above it (kept as it was).
    section_hint: int | None = None

    @classmethod
    def from_number(cls, number: str, text: str) -> Entry:
        parsed = _parse_number(number)
        divider = parsed.appendix if parsed.level == 0 and parsed.section is None else ""
        return cls(level=parsed.level, text=text, divider=divider, section_hint=parsed.section)


LEVEL_NAMES = {0: "Section", 1: "Clause", 2: "Lettered item", 3: "Roman item"}


def entries_from(clauses) -> list[Entry]:
    return [Entry.from_number(clause.number, clause.text) for clause in clauses]


def renumber(entries: list[Entry]) -> list[tuple[str, str]]:
    """Number entries in order from their levels: 1, 1.1, 1.1 a), 1.1 a) i., Appendix A, A 1…"""
    out: list[tuple[str, str]] = []
    appendix = ""
    section = clause = letter = roman = 0
    current_section: int | None = None
    for entry in entries:
        prefix = f"{appendix} " if appendix else ""
        if entry.level == 0 and entry.divider:
            appendix = entry.divider
            section = clause = letter = roman = 0
            current_section = None
            out.append((appendix, entry.text))
            continue
        if entry.level == 0:
            section += 1
            clause = letter = roman = 0
            current_section = section
            out.append((f"{prefix}{section}", entry.text))
            continue
        if entry.level == 1:
            if current_section is None or section == 0:
                hint = entry.section_hint or 1
                if hint != current_section:
                    clause = 0
                current_section = hint
            clause += 1
            letter = roman = 0
            out.append((f"{prefix}{current_section}.{clause}", entry.text))
            continue
        base = f"{prefix}{current_section or 0}.{clause}"
        if entry.level == 2:
            letter += 1
            roman = 0
            out.append((f"{base} {chr(ord('a') + min(letter, 26) - 1)})", entry.text))
            continue
        roman += 1
        letter_text = chr(ord("a") + max(letter, 1) - 1)
        out.append((f"{base} {letter_text}) {_to_roman(roman)}.", entry.text))
    return out


def block_end(entries: list[Entry], index: int) -> int:
    """Index just after the clause at ``index`` and everything nested under it."""
    level = entries[index].level
    end = index + 1
    while end < len(entries) and entries[end].level > level and not entries[end].divider:
        end += 1
    return end


def move(entries: list[Entry], index: int, direction: str) -> list[Entry]:
    """Move a clause (with its items) above the previous or below the next clause of its level.

    Raises ValueError when there is no such neighbour (first or last under its parent).
    """
    level = entries[index].level
    end = block_end(entries, index)
    if direction == "up":
        start = index - 1
        while start >= 0 and entries[start].level > level:
            start -= 1
        if start < 0 or entries[start].level != level or entries[start].divider:
            raise ValueError("it is already the first at its level")
        return entries[:start] + entries[index:end] + entries[start:index] + entries[end:]
    if direction == "down":
        if end >= len(entries) or entries[end].level != level or entries[end].divider:
            raise ValueError("it is already the last at its level")
        next_end = block_end(entries, end)
        return entries[:index] + entries[end:next_end] + entries[index:end] + entries[next_end:]
    raise ValueError(f"unknown direction {direction!r}")
