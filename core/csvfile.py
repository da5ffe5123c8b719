"""The one way the portal writes a CSV download (registers, rosters, compliance lists, histories).

`csv_response(filename, rows, header=...)` returns the download: UTF-8 with a byte-order mark
(so Excel reads accented names correctly), `text/csv`, an attachment named `filename`, never
kept by a shared cache. Every cell goes through `cell`: dates in the portal's style
(core.dates), None as blank, and text that a spreadsheet would run as a formula (starting
with =, +, -, @, a tab or a carriage return) prefixed with an apostrophe, so it shows as text.
The XLSX exports (auditpacks.exports) use `cell` too. docs/security.md.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

from core.dates import format_date, format_datetime

CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """What one cell holds: numbers as they are, everything else as safe text."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, datetime.date):
        return format_date(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Line:
    """A file-like object whose write returns the line, so rows can be streamed."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[Any]], header: Sequence[str] | None = None):
    """The CSV text, a line at a time, starting with the byte-order mark."""
    writer = csv.writer(_Line())
    yield BOM
    if header is not None:
        yield writer.writerow([str(h) for h in header])
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def csv_bytes(rows: Iterable[Sequence[Any]], header: Sequence[str] | None = None) -> bytes:
    return "".join(csv_lines(rows, header)).encode()


def csv_response(filename: str, rows: Iterable[Sequence[Any]], *,
                 header: Sequence[str] | None = None, stream: bool = False):
    """The download. `stream=True` writes rows as they are read (a whole trust's list)."""
    if stream:
        response = StreamingHttpResponse(
            (line.encode() for line in csv_lines(rows, header)), content_type=CONTENT_TYPE)
    else:
        response = HttpResponse(csv_bytes(rows, header), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
