"""Downloads of the data hub: a stored version as CSV or JSON, a validation report as CSV.
Spreadsheet formulas are neutralised in every CSV a reader downloads."""

from __future__ import annotations

import csv
import io
import tempfile
from typing import Any, Literal

from django.http import FileResponse

from mediane.core.spreadsheet import neutralise as spreadsheet_neutralise


def neutralise(value: Any) -> str:
    """A report cell as text, safe in a spreadsheet (`core.spreadsheet`)."""
    return str(spreadsheet_neutralise("" if value is None else str(value)))


def stream_version(version: Any, fmt: str, *, filename: str) -> FileResponse:
    from mediane.datahub import store
    from mediane.datahub.services import version_directory

    kind: Literal["csv", "json"] = "json" if fmt == "json" else "csv"
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (streamed)
    store.export(version_directory(version), kind, out=spool)  # type: ignore[arg-type]
    spool.seek(0)
    content_type = "text/csv; charset=utf-8" if kind == "csv" else "application/json"
    return FileResponse(
        spool, as_attachment=True, filename=f"{filename}.{kind}", content_type=content_type
    )


def report_csv(report: dict[str, Any]) -> str:
    """One line per validation error: kind, row, column, value, message (formulas neutralised)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["type", "ligne", "colonne", "champ", "valeur", "message"])
    for error in report.get("errors", []):
        writer.writerow(
            [
                neutralise(error.get(key, ""))
                for key in ("code", "row", "column", "field", "value", "message")
            ]
        )
    return "\ufeff" + out.getvalue()
