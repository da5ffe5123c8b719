"""Tables for the register exports (roster, case register, approvals registers) and their XLSX
form; the CSV form is core.csvfile's, and both pass every value through `core.csvfile.cell`."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from auditpacks.sources import field_of
from core.csvfile import cell


def table_from_rows(rows: Iterable[Any], columns: Sequence[tuple[str, str]] | None = None,
                    ) -> tuple[list[str], list[list[Any]]]:
    """(headers, cells) from dict or object rows; columns are (field, heading) pairs."""
    rows = list(rows)
    if columns is None and rows and isinstance(rows[0], list | tuple):
        # A header row followed by value rows.
        return [str(h) for h in rows[0]], [[cell(v) for v in row] for row in rows[1:]]
    if columns is None:
        first = rows[0] if rows else {}
        keys = list(first.keys()) if isinstance(first, dict) else []
        columns = [(key, key.replace("_", " ").capitalize()) for key in keys]
    headers = [heading for _, heading in columns]
    cells = [[cell(field_of(row, key)) for key, _ in columns] for row in rows]
    return headers, cells


def to_xlsx(headers: list[str], cells: list[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    sheet.freeze_panes = "A2"
    from openpyxl.cell import WriteOnlyCell

    header_cells = []
    for heading in headers:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in cells:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ROSTER_COLUMNS = [("name", "Name"), ("academy", "Academy"), ("category", "Category"),
                  ("acknowledged_at", "Acknowledged at"), ("method", "Method"),
                  ("status", "Status")]
