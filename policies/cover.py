"""The cover sheet of a policy version: who approved it and when, consultation, ratification,
review dates. Pure Python: no Django, no database.

A version keeps its cover sheet as a dict (``PolicyVersion.cover``) with the keys of
``COVER_FIELDS`` (what a person reads and edits, as written on the document) plus derived dates
(``*_month``, ISO dates) worked out from them by ``normalise_cover``. Any reader of a document
(plain text here; Word later) produces the same dict through ``read_cover_line`` /
``normalise_cover``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

__all__ = [
    "COVER_FIELDS",
    "CoverChange",
    "cover_changes",
    "empty_cover",
    "find_date",
    "normalise_cover",
    "parse_month",
    "read_cover_line",
]


@dataclass(frozen=True)
class CoverField:
    key: str
    label: str
    #: "text" (kept as written) or "month" (a date such as "September 2023", stored ISO).
    kind: str = "text"
    help: str = ""


#: The cover sheet, in the order the document gives it.
COVER_FIELDS: tuple[CoverField, ...] = (
    CoverField("ceo_approval_by", "CEO approval: by", help="e.g. Sean Kelly"),
    CoverField("ceo_approval_date", "CEO approval: date", help="As written, e.g. September 2023"),
    CoverField("consultation_body", "Consulted with",
               help="e.g. Joint Negotiating Council (JNC)"),
    CoverField("jnc_consultation", "Consultation: date", help="As written, e.g. September 2023"),
    CoverField("lgb_ratification", "LGB Cluster ratification",
               help="Meeting and date as written, e.g. North Cluster LGB, 12 November 2025"),
    CoverField("last_reviewed", "Last reviewed on", "month", "e.g. September 2025"),
    CoverField("next_review_due", "Next review due by", "month", "e.g. September 2027"),
)
FIELD_BY_KEY = {f.key: f for f in COVER_FIELDS}
#: Free-text fields whose date is also kept on its own (``<key>_month``).
_DATED = {"ceo_approval_date": "ceo_approval_month", "jnc_consultation": "jnc_consultation_month",
          "lgb_ratification": "lgb_ratification_month"}

_MONTHS = {
    name: index
    for index, names in enumerate(
        (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")),
        start=1,
    )
    for name in names
}
_MONTH_NAME_DATE_RE = re.compile(
    r"\b(?:(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+)?(?P<month>[A-Za-z]{3,9})\.?,?\s+(?P<year>\d{4})\b"
)
_NUMERIC_DATE_RE = re.compile(
    r"\b(?:(?P<year>\d{4})-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?"
    r"|(?:(?P<day2>\d{1,2})/)?(?P<month2>\d{1,2})/(?P<year2>\d{4}))\b"
)


def _normalise(text: str) -> str:
    return " ".join(str(text or "").split())


def find_date(text: str) -> tuple[str, datetime.date] | None:
    """Find a date in free text; returns (matched text, date). Month-only dates become the 1st."""
    for match in _MONTH_NAME_DATE_RE.finditer(text):
        month = _MONTHS.get(match.group("month").lower())
        if month is None:
            continue
        try:
            day = int(match.group("day") or 1)
            return match.group(0), datetime.date(int(match.group("year")), month, day)
        except ValueError:
            continue
    for match in _NUMERIC_DATE_RE.finditer(text):
        year = match.group("year") or match.group("year2")
        month = match.group("month") or match.group("month2")
        day = match.group("day") or match.group("day2") or 1
        try:
            return match.group(0), datetime.date(int(year), int(month), int(day))
        except ValueError:
            continue
    return None


def parse_month(text: str) -> datetime.date | None:
    """``"September 2023"`` -> ``date(2023, 9, 1)``; empty -> None; raises ValueError otherwise."""
    text = _normalise(text)
    if not text:
        return None
    found = find_date(text)
    if found is None or found[0] != text:
        raise ValueError(f"{text!r} is not a date such as 'September 2023'")
    return found[1]


_LINE_KINDS = (
    ("ceo", re.compile(r"\b(ceo|chief executive)\b.*\bapprov", re.IGNORECASE)),
    ("lgb", re.compile(r"\b(lgb|local governing)\b|ratification", re.IGNORECASE)),
    ("jnc", re.compile(r"\b(jnc|joint negotiating)\b|consultation", re.IGNORECASE)),
    ("last_reviewed", re.compile(r"\blast review", re.IGNORECASE)),
    ("next_review_due", re.compile(r"\bnext review|\breview due", re.IGNORECASE)),
)


def split_cover_line(raw: str) -> tuple[str | None, str, list[str]]:
    """Return (field kind or None, label, values) for a cover-sheet line."""
    if "\t" in raw:
        label, _, rest = raw.partition("\t")
        values = [_normalise(value) for value in rest.split("\t")]
    else:
        label, _, rest = raw.partition(":")
        values = [_normalise(rest)]
    label = _normalise(label).rstrip(":").strip()
    kind = next((kind for kind, pattern in _LINE_KINDS if pattern.search(label)), None)
    return kind, label, [value for value in values if value]


def empty_cover() -> dict[str, object]:
    cover: dict[str, object] = {f.key: ("" if f.kind == "text" else None) for f in COVER_FIELDS}
    cover.update(dict.fromkeys(_DATED.values()))
    return cover


def read_cover_line(cover: dict[str, object], kind: str, label: str, values: list[str]) -> None:
    """Put one cover-sheet line into ``cover``; raises ValueError for a review date that is
    not a date."""
    joined = " ".join(values)
    if kind == "ceo":
        found = find_date(joined)
        date_text = found[0] if found else ""
        name = joined.replace(date_text, " ") if date_text else joined
        cover["ceo_approval_by"] = _normalise(name).strip(",;- ")
        cover["ceo_approval_date"] = date_text
    elif kind == "lgb":
        cover["lgb_ratification"] = joined
    elif kind == "jnc":
        cover["jnc_consultation"] = joined
        body = re.sub(r"\s*\bconsultation\b.*$", "", label, flags=re.IGNORECASE).strip(" :-")
        cover["consultation_body"] = body
    else:
        cover[kind] = parse_month(joined)
    _derive(cover)


def _derive(cover: dict[str, object]) -> None:
    for key, month_key in _DATED.items():
        found = find_date(str(cover.get(key) or ""))
        cover[month_key] = found[1] if found else None


def normalise_cover(values: dict[str, object]) -> dict[str, object]:
    """A whole cover sheet from edited values (text as written, review dates as text or dates):
    the same keys and derived dates as a document gives. Raises ValueError naming the field
    whose date cannot be read. Keys outside ``COVER_FIELDS`` (``extra``, ``preamble``) are
    kept."""
    cover = empty_cover()
    cover.update({k: v for k, v in values.items() if k not in FIELD_BY_KEY})
    for f in COVER_FIELDS:
        value = values.get(f.key)
        if f.kind == "text":
            cover[f.key] = _normalise(value)
        elif isinstance(value, datetime.date) or value is None:
            cover[f.key] = value
        else:
            text = _normalise(value)
            try:
                cover[f.key] = datetime.date.fromisoformat(text) if re.fullmatch(
                    r"\d{4}-\d\d-\d\d", text) else parse_month(text)
            except ValueError:
                raise ValueError(f"{f.label}: {text!r} is not a date such as "
                                 "'September 2023'") from None
    _derive(cover)
    return cover


def display(cover: dict, key: str) -> str:
    """A cover field as a person reads it: month dates as "September 2023"."""
    value = (cover or {}).get(key)
    if value in (None, ""):
        return ""
    if FIELD_BY_KEY[key].kind == "month":
        try:
            day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(
                str(value))
        except ValueError:
            return str(value)
        return day.strftime("%B %Y")
    return str(value)


@dataclass(frozen=True)
class CoverChange:
    key: str
    label: str
    old: str
    new: str

    @property
    def status(self) -> str:
        if self.old == self.new:
            return "unchanged"
        if not self.old:
            return "added"
        return "removed" if not self.new else "changed"


def cover_changes(old: dict | None, new: dict | None) -> list[CoverChange]:
    """Field by field, as read: every field of ``COVER_FIELDS`` (``status`` says which
    changed)."""
    return [CoverChange(f.key, f.label, display(old or {}, f.key), display(new or {}, f.key))
            for f in COVER_FIELDS]
