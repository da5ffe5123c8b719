"""Word multi-level list numbering (``word/numbering.xml``): read it to render the numbers a
paragraph shows, and write it so an exported policy keeps real, editable Word lists.

python-docx reads and writes the package but has no API for numbering definitions, and
docx2python (which reads the paragraphs) counts lists per ``numId`` only, ignoring the level
text (``%1.%2``), start overrides and numbering that comes from a paragraph style. So the
numbering definitions are read here, from the numbering part python-docx opens, following
Word's rules:

* a paragraph's numbering is its own ``w:numPr``, else its style's (following ``basedOn``);
  ``numId`` 0 means "no numbering";
* list instances (``w:num``) of one abstract list share its counters, so a list interrupted
  by other paragraphs or tables, or continued under another instance, carries on counting;
* an instance with ``w:lvlOverride/w:startOverride`` restarts that level the first time it is
  used ("Restart at 1" in Word writes exactly this);
* counting a level resets the deeper levels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

W_VAL = qn("w:val")


@dataclass(frozen=True)
class Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


@dataclass
class _Instance:
    abstract_id: str
    overrides: dict[int, int] = field(default_factory=dict)  # ilvl -> start value


def _child_val(element, tag: str) -> str | None:
    child = element.find(qn(tag)) if element is not None else None
    return child.get(W_VAL) if child is not None else None


def to_letter(value: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa (Word repeats the letter)."""
    if value < 1:
        return str(value)
    repeat, index = divmod(value - 1, 26)
    return chr(ord("a") + index) * (repeat + 1)


_ROMAN = (("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90),
          ("l", 50), ("xl", 40), ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))


def to_roman(value: int) -> str:
    out = []
    for symbol, amount in _ROMAN:
        while value >= amount:
            out.append(symbol)
            value -= amount
    return "".join(out) or str(value)


def format_value(fmt: str, value: int) -> str:
    if fmt == "lowerLetter":
        return to_letter(value)
    if fmt == "upperLetter":
        return to_letter(value).upper()
    if fmt == "lowerRoman":
        return to_roman(value)
    if fmt == "upperRoman":
        return to_roman(value).upper()
    if fmt in ("bullet", "none"):
        return ""
    return str(value)  # decimal and the many decimal-like formats


@dataclass(frozen=True)
class ListItem:
    """Where a numbered paragraph sits: its level, format, and the counters above it."""

    ilvl: int
    fmt: str
    level_text: str
    values: tuple[int, ...]  # the counter of every level 0..ilvl
    formats: tuple[str, ...]  # the format of every level 0..ilvl

    @property
    def value(self) -> int:
        return self.values[-1]

    @property
    def is_bullet(self) -> bool:
        return self.fmt in ("bullet", "none")

    def rendered(self) -> str:
        """The number as Word shows it: the level text with each ``%n`` filled in."""
        out, index = [], 0
        text = self.level_text
        while index < len(text):
            char = text[index]
            if char == "%" and index + 1 < len(text) and text[index + 1].isdigit():
                level = int(text[index + 1]) - 1
                if 0 <= level < len(self.values):
                    out.append(format_value(self.formats[level], self.values[level]))
                index += 2
                continue
            out.append(char)
            index += 1
        return "".join(out)


class Numbering:
    """Renders the list number of each paragraph, fed in document order."""

    def __init__(self, document) -> None:
        self._abstract: dict[str, list[Level]] = {}
        self._instances: dict[str, _Instance] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._started: set[str] = set()
        self._style_numbering: dict[str, tuple[str | None, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):  # no numbering part: nothing is a list
            root = None
        if root is not None:
            self._read(root)
        self._styles = document.styles.element

    def _read(self, root) -> None:
        for abstract in root.findall(qn("w:abstractNum")):
            levels: list[Level] = []
            for lvl in abstract.findall(qn("w:lvl")):
                levels.append(Level(
                    fmt=_child_val(lvl, "w:numFmt") or "decimal",
                    text=_child_val(lvl, "w:lvlText") or "",
                    start=int(_child_val(lvl, "w:start") or 1),
                ))
            self._abstract[abstract.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            instance = _Instance(_child_val(num, "w:abstractNumId") or "")
            for override in num.findall(qn("w:lvlOverride")):
                start = _child_val(override, "w:startOverride")
                if start is not None:
                    instance.overrides[int(override.get(qn("w:ilvl")) or 0)] = int(start)
            self._instances[num.get(qn("w:numId"))] = instance

    # ------------------------------------------------------------------ paragraph properties

    def _style_numpr(self, style_id: str | None, depth: int = 0) -> tuple[str | None, int]:
        if not style_id or depth > 10:
            return None, 0
        if style_id in self._style_numbering:
            return self._style_numbering[style_id]
        found: tuple[str | None, int] = (None, 0)
        for style in self._styles.findall(qn("w:style")):
            if style.get(qn("w:styleId")) != style_id:
                continue
            numpr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if numpr is not None and _child_val(numpr, "w:numId") is not None:
                found = (_child_val(numpr, "w:numId"), int(_child_val(numpr, "w:ilvl") or 0))
            else:
                found = self._style_numpr(_child_val(style, "w:basedOn"), depth + 1)
            break
        self._style_numbering[style_id] = found
        return found

    def _numpr(self, paragraph) -> tuple[str | None, int]:
        ppr = paragraph.find(qn("w:pPr"))
        numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
        style_num, style_ilvl = self._style_numpr(_child_val(ppr, "w:pStyle"))
        if numpr is not None:
            num_id = _child_val(numpr, "w:numId")
            ilvl = _child_val(numpr, "w:ilvl")
            # A paragraph may set only its level and take the list from its style, or the
            # reverse.
            return (num_id if num_id is not None else style_num,
                    int(ilvl) if ilvl is not None else style_ilvl)
        return style_num, style_ilvl

    # ------------------------------------------------------------------ counting

    def item(self, paragraph) -> ListItem | None:
        """Count the paragraph (a ``w:p`` element) and say how it is numbered, or None."""
        num_id, ilvl = self._numpr(paragraph)
        if not num_id or num_id == "0" or num_id not in self._instances:
            return None
        instance = self._instances[num_id]
        levels = self._abstract.get(instance.abstract_id)
        if not levels:
            return None
        ilvl = max(0, min(ilvl, len(levels) - 1))
        counters = self._counters.setdefault(instance.abstract_id, {})

        def start(level: int) -> int:
            return instance.overrides.get(level, levels[level].start)

        if num_id not in self._started:
            self._started.add(num_id)
            for level in instance.overrides:
                counters.pop(level, None)
        counters[ilvl] = counters.get(ilvl, start(ilvl) - 1) + 1
        for deeper in [level for level in counters if level > ilvl]:
            del counters[deeper]
        values = tuple(counters.get(level, start(level)) for level in range(ilvl + 1))
        return ListItem(
            ilvl=ilvl,
            fmt=levels[ilvl].fmt,
            level_text=levels[ilvl].text,
            values=values,
            formats=tuple(levels[level].fmt for level in range(ilvl + 1)),
        )


# --------------------------------------------------------------------------- writing

#: The policy's levels: section "1.", clause "1.1", item "a)", sub-item "i.".
POLICY_LEVELS = (
    Level("decimal", "%1.", 1),
    Level("decimal", "%1.%2", 1),
    Level("lowerLetter", "%3)", 1),
    Level("lowerRoman", "%4.", 1),
)


def add_abstract_list(document, levels=POLICY_LEVELS, *, indent: int = 567) -> str:
    """Add a multi-level abstract list to the document; returns its ``abstractNumId``."""
    root = document.part.numbering_part.element
    taken = {int(a.get(qn("w:abstractNumId"))) for a in root.findall(qn("w:abstractNum"))}
    abstract_id = str(max(taken, default=0) + 1)
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="{level.start}"/>'
        f'<w:numFmt w:val="{level.fmt}"/><w:lvlText w:val="{level.text}"/>'
        f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{indent * (i + 1)}" '
        f'w:hanging="{indent}"/></w:pPr></w:lvl>'
        for i, level in enumerate(levels)
    )
    element = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="multilevel"/>{lvls}</w:abstractNum>'
    )
    # Schema order: every abstractNum comes before the first num.
    first_num = root.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(element)
    else:
        root.append(element)
    return abstract_id


def add_list(document, abstract_id: str, *, restart: bool = False) -> str:
    """Add a list instance of the abstract list; ``restart`` starts its first level at 1
    again (as Word's "Restart at 1" does). Returns the ``numId``."""
    root = document.part.numbering_part.element
    taken = {int(n.get(qn("w:numId"))) for n in root.findall(qn("w:num"))}
    num_id = str(max(taken, default=0) + 1)
    override = (
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>'
        if restart else ""
    )
    root.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
        f"{override}</w:num>"
    ))
    return num_id


def number_paragraph(paragraph, num_id: str, ilvl: int) -> None:
    """Make a python-docx paragraph an item of the list ``num_id`` at level ``ilvl``."""
    ppr = paragraph._p.get_or_add_pPr()
    existing = ppr.find(qn("w:numPr"))
    if existing is not None:
        ppr.remove(existing)
    numpr = parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
    )
    # Schema order inside pPr: pStyle, keepNext, ..., numPr, ...; after pStyle is safe.
    style = ppr.find(qn("w:pStyle"))
    if style is not None:
        style.addnext(numpr)
    else:
        ppr.insert(0, numpr)
