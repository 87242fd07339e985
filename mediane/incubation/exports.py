"""Exports of stays and their outcomes (CSV and XLSX), from the rows `stays_for_export` returns:
the stays of the incubators the user belongs to, or all of them for the secretariat.

Cells are neutralised (`core.spreadsheet.neutralise`) so that no spreadsheet evaluates a text
as a formula.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from mediane.core.spreadsheet import rows_to_csv, rows_to_xlsx
from mediane.incubation.models import Need, SoftLandingRequest

EXPORT_MAX_ROWS = 5000

COLUMNS = (
    "id", "startup", "startup_country", "home", "host", "agreement", "status", "status_label",
    "start", "end", "requested_start", "requested_end", "needs", "contacts_made",
    "contracts_signed", "contracts_amount_eur", "contracts_amount_cad", "jobs_created",
    "outcomes_recorded_by", "outcome_notes", "url",
)  # fmt: skip


def stay_row(stay: SoftLandingRequest) -> dict[str, Any]:
    """One stay; outcomes of both incubators summed (counts), amounts kept per currency."""
    outcomes = list(stay.outcomes.all())  # type: ignore[attr-defined]
    amounts: dict[str, Decimal | None] = {"EUR": None, "CAD": None}
    for o in outcomes:
        if o.contracts_amount is not None:
            amounts[o.currency] = (amounts[o.currency] or Decimal(0)) + o.contracts_amount
    path = stay.get_absolute_url()
    return {
        "id": stay.pk,
        "startup": stay.startup.name,
        "startup_country": stay.startup.country,
        "home": stay.home.name,
        "host": stay.host.name,
        "agreement": stay.agreement.title,
        "status": stay.status,
        "status_label": str(stay.get_status_display()),  # type: ignore[attr-defined]
        "start": stay.start.isoformat(),
        "end": stay.end.isoformat(),
        "requested_start": stay.requested_start.isoformat(),
        "requested_end": stay.requested_end.isoformat(),
        "needs": ", ".join(str(Need(n).label) for n in stay.needs if n in Need.values),
        "contacts_made": sum(o.contacts_made for o in outcomes),
        "contracts_signed": sum(o.contracts_signed for o in outcomes),
        "contracts_amount_eur": float(amounts["EUR"]) if amounts["EUR"] is not None else None,
        "contracts_amount_cad": float(amounts["CAD"]) if amounts["CAD"] is not None else None,
        "jobs_created": sum(o.jobs_created for o in outcomes),
        "outcomes_recorded_by": ", ".join(o.organisation.name for o in outcomes),
        "outcome_notes": " | ".join(o.notes for o in outcomes if o.notes),
        "url": settings.SITE_URL + path if path else "",
    }


def stay_rows(stays: Iterable[SoftLandingRequest]) -> list[dict[str, Any]]:
    return [stay_row(stay) for stay in stays]


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    return rows_to_csv(rows, COLUMNS)


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    return rows_to_xlsx(rows, COLUMNS, sheet_title=_("Séjours"))


FORMATS: dict[str, Callable[[list[dict[str, Any]]], bytes]] = {"csv": to_csv, "xlsx": to_xlsx}
