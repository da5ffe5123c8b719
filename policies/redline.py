"""Clause-by-clause comparison of two policy versions, with word-level marks.

Pure Python: no Django, no database (`policies.marks` renders the marks as HTML through a
template). Clauses are given in document order as ``(number, text)``
pairs or as objects with ``.number`` and ``.text`` (parsed clauses, model instances).

Clauses are paired in this order of preference:

1. same number, same text                  -> ``unchanged``
2. same text under another number          -> ``moved`` (renumbered)
3. same number, similar text (>= threshold) -> ``changed``
4. similar text under another number       -> ``moved`` (renumbered and edited)
5. same number, any text                   -> ``changed`` (rewritten)

What is left over is ``removed`` (old) or ``added`` (new). Pairing equal text before same
numbers keeps an inserted clause from showing every later clause as rewritten.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = [
    "ClauseDiff",
    "Segment",
    "redline",
    "summary",
    "word_marks",
]

Status = Literal["unchanged", "added", "removed", "changed", "moved"]
Op = Literal["equal", "insert", "delete"]
Segment = tuple[Op, str]

STATUSES: tuple[Status, ...] = ("unchanged", "added", "removed", "changed", "moved")
SIMILARITY_THRESHOLD = 0.8


class ClauseLike(Protocol):
    number: str
    text: str


@dataclass
class ClauseDiff:
    """One row of a redline.

    ``marks`` always rebuild both texts: joining the ``equal`` and ``insert`` segments gives
    ``new_text``, joining ``equal`` and ``delete`` gives ``old_text``. An added clause is one
    ``insert``, a removed clause one ``delete`` and an unchanged text one ``equal``.
    """

    status: Status
    old_number: str | None
    new_number: str | None
    old_text: str | None
    new_text: str | None
    marks: list[Segment] = field(default_factory=list)
    similarity: float = 0.0

    @property
    def number(self) -> str:
        """The number to show: the new one, or the old one for a removed clause."""
        return self.new_number if self.new_number is not None else self.old_number or ""

    @property
    def text_changed(self) -> bool:
        return (
            self.old_text is not None
            and self.new_text is not None
            and self.old_text != self.new_text
        )


def _as_pairs(clauses: Iterable[tuple[str, str] | ClauseLike]) -> list[tuple[str, str]]:
    pairs = []
    seen: set[str] = set()
    for clause in clauses:
        number, text = clause if isinstance(clause, tuple) else (clause.number, clause.text)
        if number in seen:
            raise ValueError(f"clause number {number!r} appears more than once")
        seen.add(number)
        pairs.append((number, text))
    return pairs


# --------------------------------------------------------------------------- word marks

_TOKEN_RE = re.compile(r"\w+(?:['\u2019]\w+)*|\s+|[^\w\s]")


def _tokens(text: str) -> list[str]:
    # Words, whitespace runs and single punctuation marks: together they are the whole text.
    return _TOKEN_RE.findall(text)


def _words(text: str) -> list[str]:
    return [token for token in _tokens(text) if not token.isspace()]


def similarity(old_text: str, new_text: str) -> float:
    """Word-level similarity ratio in [0, 1]."""
    return difflib.SequenceMatcher(None, _words(old_text), _words(new_text), autojunk=False).ratio()


def word_marks(old_text: str, new_text: str) -> list[Segment]:
    """Word-level diff of two texts as ``(op, text)`` segments.

    A change is shown as one ``delete`` followed by one ``insert``; a run of spaces between two
    changes is folded into them, so "the cat" -> "a dog" reads ``[-the cat-]{+a dog+}`` rather
    than word by word.
    """
    old_tokens, new_tokens = _tokens(old_text), _tokens(new_text)
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    # Chunks: ("equal", text, text) or ("change", old part, new part).
    chunks: list[tuple[str, str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old_part, new_part = "".join(old_tokens[i1:i2]), "".join(new_tokens[j1:j2])
        chunks.append(("equal" if tag == "equal" else "change", old_part, new_part))

    merged: list[tuple[str, str, str]] = []
    for index, (kind, old_part, new_part) in enumerate(chunks):
        between_changes = 0 < index < len(chunks) - 1
        if kind == "equal" and between_changes and old_part.isspace():
            kind = "change"
        if kind == "change" and merged and merged[-1][0] == "change":
            _, prev_old, prev_new = merged.pop()
            old_part, new_part = prev_old + old_part, prev_new + new_part
        merged.append((kind, old_part, new_part))

    segments: list[Segment] = []
    for kind, old_part, new_part in merged:
        if kind == "equal":
            segments.append(("equal", old_part))
            continue
        if old_part:
            segments.append(("delete", old_part))
        if new_part:
            segments.append(("insert", new_part))
    return segments


# --------------------------------------------------------------------------- redline


def _whole(op: Op, text: str) -> list[Segment]:
    return [(op, text)] if text else []


def _pair_clauses(
    old: Sequence[tuple[str, str]], new: Sequence[tuple[str, str]], threshold: float
) -> dict[int, tuple[int, float]]:
    """Map old index -> (new index, similarity) for every clause present in both versions."""
    pairs: dict[int, tuple[int, float]] = {}
    taken_new: set[int] = set()
    old_index_by_number = {number: index for index, (number, _) in enumerate(old)}

    def pair(i: int, j: int, ratio: float) -> None:
        pairs[i] = (j, ratio)
        taken_new.add(j)

    def free_same_number(j: int) -> int | None:
        i = old_index_by_number.get(new[j][0])
        return i if i is not None and i not in pairs and j not in taken_new else None

    # 1. Same number, same text.
    for j, (_, text) in enumerate(new):
        i = free_same_number(j)
        if i is not None and old[i][1] == text:
            pair(i, j, 1.0)

    # 2. Same text, another number: pair duplicates in document order.
    free_old_by_text: dict[str, list[int]] = defaultdict(list)
    for i, (_, text) in enumerate(old):
        if i not in pairs:
            free_old_by_text[text].append(i)
    for j, (_, text) in enumerate(new):
        if j not in taken_new and free_old_by_text.get(text):
            pair(free_old_by_text[text].pop(0), j, 1.0)

    # 3. Same number, similar text.
    for j, (_, text) in enumerate(new):
        i = free_same_number(j)
        if i is not None:
            ratio = similarity(old[i][1], text)
            if ratio >= threshold:
                pair(i, j, ratio)

    # 4. Similar text, another number: best matches first.
    candidates = []
    for i, (_, old_text) in enumerate(old):
        if i in pairs:
            continue
        old_words = _words(old_text)
        for j, (_, new_text) in enumerate(new):
            if j in taken_new:
                continue
            matcher = difflib.SequenceMatcher(None, old_words, _words(new_text), autojunk=False)
            # The quick upper bounds skip most of the expensive ratio() calls.
            if matcher.real_quick_ratio() >= threshold and matcher.quick_ratio() >= threshold:
                ratio = matcher.ratio()
                if ratio >= threshold:
                    candidates.append((-ratio, abs(i - j), i, j))
    for negative_ratio, _, i, j in sorted(candidates):
        if i not in pairs and j not in taken_new:
            pair(i, j, -negative_ratio)

    # 5. Same number, whatever the text: a rewritten clause.
    for j, (_, text) in enumerate(new):
        i = free_same_number(j)
        if i is not None:
            pair(i, j, similarity(old[i][1], text))
    return pairs


def redline(
    old: Iterable[tuple[str, str] | ClauseLike],
    new: Iterable[tuple[str, str] | ClauseLike],
    *,
    threshold: float = SIMILARITY_THRESHOLD,
) -> list[ClauseDiff]:
    """Compare two versions; rows follow the new version, removed clauses stay where they were."""
    old_pairs, new_pairs = _as_pairs(old), _as_pairs(new)
    pairs = _pair_clauses(old_pairs, new_pairs, threshold)
    old_index_by_new = {j: i for i, (j, _) in pairs.items()}

    # A removed clause goes right after the nearest earlier old clause that is still there
    # (anchor -1: before everything).
    removed_after: dict[int, list[int]] = defaultdict(list)
    anchor = -1
    for i in range(len(old_pairs)):
        if i in pairs:
            anchor = pairs[i][0]
        else:
            removed_after[anchor].append(i)

    def removed_rows(anchor: int) -> list[ClauseDiff]:
        rows = []
        for i in removed_after.get(anchor, []):
            number, text = old_pairs[i]
            rows.append(ClauseDiff("removed", number, None, text, None, _whole("delete", text)))
        return rows

    diffs = removed_rows(-1)
    for j, (new_number, new_text) in enumerate(new_pairs):
        i = old_index_by_new.get(j)
        if i is None:
            diffs.append(
                ClauseDiff("added", None, new_number, None, new_text, _whole("insert", new_text))
            )
        else:
            old_number, old_text = old_pairs[i]
            ratio = pairs[i][1]
            if old_text == new_text:
                marks = _whole("equal", new_text)
            else:
                marks = word_marks(old_text, new_text)
            if old_number != new_number:
                status: Status = "moved"
            else:
                status = "unchanged" if old_text == new_text else "changed"
            diffs.append(
                ClauseDiff(status, old_number, new_number, old_text, new_text, marks, ratio)
            )
        diffs.extend(removed_rows(j))
    return diffs


def summary(diffs: Iterable[ClauseDiff]) -> dict[str, int]:
    """Counts per status, every status present: ``{"unchanged": 80, "changed": 2, ...}``."""
    counts = dict.fromkeys(STATUSES, 0)
    for diff in diffs:
        counts[diff.status] += 1
    return counts
