"""Write the seed policy as an OpenDocument flat file (.fodt) for LibreOffice to save as .docx.

The document is what a person would build in a word processor: category and title, the
cover sheet as a table, section headings and clauses in one multi-level numbered list
(1. / 1.1 / a) / i.), and the appendix with a list that starts again at 1. Numbers are not
typed: LibreOffice generates them, and writes them to Word's numbering.xml when it saves
the .docx (see make_seed_docx.sh).

Usage: python tests/data/make_seed_fodt.py SEED.txt OUT.fodt
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from policies.parsing import parse_policy_text  # noqa: E402 - pure Python, no Django

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:styles>
 <style:style style:name="Standard" style:family="paragraph">
  <style:text-properties fo:font-size="11pt"/></style:style>
 <style:style style:name="Title" style:family="paragraph" style:parent-style-name="Standard">
  <style:text-properties fo:font-size="24pt" fo:font-weight="bold"/></style:style>
 <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph"
  style:parent-style-name="Standard" style:default-outline-level="1">
  <style:paragraph-properties fo:margin-top="0.6cm" fo:margin-bottom="0.2cm"/>
  <style:text-properties fo:font-size="16pt" fo:font-weight="bold"/></style:style>
 <style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph"
  style:parent-style-name="Standard" style:default-outline-level="2">
  <style:paragraph-properties fo:margin-top="0.4cm" fo:margin-bottom="0.2cm"/>
  <style:text-properties fo:font-size="13pt" fo:font-weight="bold"/></style:style>
 <text:list-style style:name="Policy_20_List" style:display-name="Policy List">
LEVELS
 </text:list-style>
</office:styles>
<office:automatic-styles>
 <style:style style:name="Cover" style:family="table">
  <style:table-properties style:width="16cm" table:align="left"/></style:style>
</office:automatic-styles>
<office:body><office:text>
"""

#: (format, suffix, levels shown) per list level: 1. / 1.1 / a) / i.
LEVELS = [("1", ".", 1), ("1", "", 2), ("a", ")", 1), ("i", ".", 1)]


def _levels() -> str:
    out = []
    for index, (fmt, suffix, shown) in enumerate(LEVELS, start=1):
        out.append(
            f'  <text:list-level-style-number text:level="{index}" style:num-format="{fmt}"'
            f' style:num-suffix="{suffix}" text:display-levels="{shown}">'
            '<style:list-level-properties text:list-level-position-and-space-mode='
            '"label-alignment"><style:list-level-label-alignment text:label-followed-by='
            f'"listtab" text:list-tab-stop-position="{index * 1.2:.1f}cm" fo:text-indent='
            f'"-1.2cm" fo:margin-left="{index * 1.2:.1f}cm"/></style:list-level-properties>'
            "</text:list-level-style-number>"
        )
    return "\n".join(out)


def _p(text: str, style: str = "Standard") -> str:
    return f'<text:p text:style-name="{style}">{escape(text)}</text:p>'


class _Lists:
    """Nested text:list elements, opened and closed as the clause levels go up and down."""

    def __init__(self, out: list[str]) -> None:
        self.out = out
        self.depth = 0  # open list levels
        self.restart = False

    def item(self, level: int, paragraph: str) -> None:
        while self.depth > level + 1:
            self.close_one()
        if self.depth == level + 1:
            self.out.append("</text:list-item>")
        while self.depth < level + 1:
            style = ' text:style-name="Policy_20_List"' if self.depth == 0 else ""
            self.out.append(f"<text:list{style}>")
            self.depth += 1
            if self.depth < level + 1:
                self.out.append("<text:list-item>")
        start = ' text:start-value="1"' if self.restart else ""
        self.restart = False
        self.out.append(f"<text:list-item{start}>{paragraph}")

    def close_one(self) -> None:
        self.out.append("</text:list-item></text:list>")
        self.depth -= 1

    def close(self) -> None:
        while self.depth:
            self.close_one()


def build(text: str) -> str:
    parsed = parse_policy_text(text)
    cover = [line.split("\t") for line in text.splitlines()
             if "\t" in line and line.split("\t")[0].strip().endswith(
                 ("approval:", "ratification", "applicable):", "on:", "by:"))]
    out = [HEAD.replace("LEVELS", _levels())]
    out.append(_p(parsed.category))
    out.append(_p(parsed.title, "Title"))
    out.append('<table:table table:name="Cover" table:style-name="Cover">'
               '<table:table-column table:number-columns-repeated="3"/>')
    for cells in cover:
        cells = (cells + ["", "", ""])[:3]
        out.append("<table:table-row>" + "".join(
            f'<table:table-cell office:value-type="string">{_p(cell.strip())}</table:table-cell>'
            for cell in cells) + "</table:table-row>")
    out.append("</table:table>")
    lists = _Lists(out)
    for clause in parsed.clauses:
        if clause.level == 0 and clause.number.isalpha():
            lists.close()
            title = f" - {clause.text}" if clause.text else ""
            out.append(_p(f"Appendix {clause.number}{title}", "Heading_20_1"))
            lists.restart = True
            continue
        style = "Heading_20_2" if clause.level == 0 else "Standard"
        lists.item(clause.level, _p(clause.text, style))
    lists.close()
    out.append("</office:text></office:body></office:document>\n")
    return "\n".join(out)


if __name__ == "__main__":
    source, target = sys.argv[1:3]
    Path(target).write_text(build(Path(source).read_text(encoding="utf-8")), encoding="utf-8")
