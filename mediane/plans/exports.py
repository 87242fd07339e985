"""CSV and XLSX export of a plan: one row per action, with its axis. The same columns are read back
by `mediane.plans.imports` (a re-import updates the actions by number).

Spreadsheet cells are neutralised (`core.spreadsheet.neutralise`): a text starting with `=`, `+`,
`-`, `@`, a tab or a carriage return is prefixed with a quote.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from mediane.core.spreadsheet import neutralise
from mediane.plans.selectors import PlanTree

COLUMNS = (
    "axis_number", "axis_title", "number", "title", "description", "status", "priority",
    "start_date", "end_date", "budget_planned", "budget_spent", "progress", "weight",
    "pilot_roles", "question_codes",
)  # fmt: skip


def _num(value: Any) -> str:
    return "" if value is None else str(value)


def plan_rows(tree: PlanTree) -> list[dict[str, Any]]:
    rows = []
    for node in tree.axes:
        for action in node.actions:
            rows.append(
                {
                    "axis_number": node.axis.number,
                    "axis_title": node.axis.title,
                    "number": action.number,
                    "title": action.title,
                    "description": action.description,
                    "status": action.status,
                    "priority": action.priority,
                    "start_date": action.start_date.isoformat() if action.start_date else "",
                    "end_date": action.end_date.isoformat() if action.end_date else "",
                    "budget_planned": _num(action.budget_planned),
                    "budget_spent": _num(action.budget_spent),
                    "progress": action.progress,
                    "weight": _num(action.weight),
                    "pilot_roles": action.pilot_roles,
                    "question_codes": ", ".join(q.code for q in action.questions.all()),
                }
            )
    return rows


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([neutralise(row[c], keep_numbers=True) for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: list[dict[str, Any]], *, title: str = "Plan") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Actions")
    sheet.append(list(COLUMNS))
    numeric = {"axis_number", "number", "progress"}
    for row in rows:
        cells = []
        for column in COLUMNS:
            value = row[column]
            if column in numeric:
                cells.append(value)
            else:
                cells.append(neutralise(value, keep_numbers=True))
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
