"""Spreadsheet exports (CSV, XLSX) of Médiane: one rule for every cell, one writer per format.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a
formula by a spreadsheet ("CSV injection"): it gets a leading apostrophe (`neutralise`).
`rows_to_csv` and `rows_to_xlsx` write the rows an app's `exports.py` built (one dict per row,
plain values) with its columns; `export_response` serves them as a download. No Django import at
module level.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?[0-9]+([.,][0-9]+)?([eE][-+]?[0-9]+)?")

#: Content type of each download format.
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}


def neutralise(value: Any, *, keep_numbers: bool = False) -> Any:
    """`value` as a spreadsheet will not run it; values that are not text are returned as they
    are. `keep_numbers`: a text that is a plain number ("-12.5") is left alone (data exports,
    where such cells are numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        if keep_numbers and _PLAIN_NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


def rows_to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> bytes:
    """UTF-8 with a BOM (so that spreadsheets detect it), comma-separated, CRLF line ends; the
    header row is `columns`, `None` is an empty cell, every cell is neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise("" if row[key] is None else row[key]) for key in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def rows_to_xlsx(
    rows: Iterable[dict[str, Any]], columns: Sequence[str], *, sheet_title: str
) -> bytes:
    """One sheet (`sheet_title`, cut to the 31 characters a workbook allows), a bold frozen
    header row of `columns`; every text cell neutralised and stripped of the control characters a
    workbook cannot hold, other values (numbers, `None`) written as they are."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    def cell(value: Any) -> Any:
        if isinstance(value, str):
            return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
        return value

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title[:31]
    sheet.append(list(columns))
    for header_cell in sheet[1]:
        header_cell.font = Font(bold=True)
    for row in rows:
        sheet.append([cell(row[key]) for key in columns])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(
    content: bytes, fmt: str, filename: str, *, private: bool, nosniff: bool = True
) -> HttpResponse:
    """`content` as a download named `filename` (with its extension), with the content type of
    `fmt` (`CONTENT_TYPES`). `private`: not to be kept by any cache (rows only this user may
    see); `nosniff`: browsers must not guess another type."""
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if nosniff:
        response["X-Content-Type-Options"] = "nosniff"
    if private:
        response["Cache-Control"] = "private, no-store"
    return response
