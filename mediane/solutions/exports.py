"""Exports of the solution list (CSV and XLSX), built from the rows a selector returned.

The caller passes the published sheets the user may read (`selectors.solutions_search` with
`published_only`), so an export never holds a draft nor a sheet the user may not read. Cells
are neutralised by the shared writers of `core.spreadsheet`, with our columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from mediane.core.spreadsheet import rows_to_csv, rows_to_xlsx
from mediane.solutions.models import SolutionSheet

EXPORT_MAX_ROWS = 5000

COLUMNS = (
    "slug", "title", "city", "country", "visibility", "sectors", "summary", "problem",
    "solution", "supplier", "supplier_offer", "cost_amount", "currency", "duration_months",
    "deployed_on", "results", "indicators", "lessons", "contact_role", "replication_count",
    "replicated_in", "published_at", "url",
)  # fmt: skip


def _number(value: Any) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)


def solution_row(sheet: SolutionSheet, replicated_in: list[str]) -> dict[str, Any]:
    indicators = []
    for indicator in sheet.indicators.all():  # type: ignore[attr-defined]
        unit = f" {indicator.unit}" if indicator.unit else ""
        indicators.append(
            f"{indicator.name} : {_number(indicator.value_before) or '—'} → "
            f"{_number(indicator.value_after) or '—'}{unit}"
            + (f" ({indicator.measured_on.isoformat()})" if indicator.measured_on else "")
        )
    supplier = sheet.supplier_organisation.name if sheet.supplier_organisation else ""
    return {
        "slug": sheet.slug,
        "title": sheet.title,
        "city": sheet.organisation.name,
        "country": sheet.organisation.country,
        "visibility": sheet.visibility,
        "sectors": ", ".join(s.name for s in sheet.sectors.all()),
        "summary": sheet.summary,
        "problem": sheet.problem,
        "solution": sheet.solution,
        "supplier": supplier or sheet.supplier_name,
        "supplier_offer": sheet.supplier_offer.title if sheet.supplier_offer else "",
        "cost_amount": sheet.cost_amount,
        "currency": sheet.currency,
        "duration_months": sheet.duration_months,
        "deployed_on": sheet.deployed_on.isoformat() if sheet.deployed_on else "",
        "results": sheet.results,
        "indicators": " ; ".join(indicators),
        "lessons": sheet.lessons,
        "contact_role": sheet.contact_role,
        "replication_count": len(replicated_in),
        "replicated_in": ", ".join(replicated_in),
        "published_at": sheet.published_at.date().isoformat() if sheet.published_at else "",
        "url": settings.SITE_URL + sheet.get_absolute_url(),
    }


def solution_rows(
    sheets: Iterable[SolutionSheet], replicated_in: dict[int, list[str]]
) -> list[dict[str, Any]]:
    return [
        solution_row(sheet, replicated_in.get(sheet.pk, []))
        for sheet in islice(sheets, EXPORT_MAX_ROWS)
    ]


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    return rows_to_csv(rows, COLUMNS)


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    return rows_to_xlsx(rows, COLUMNS, sheet_title=_("Solutions"))
