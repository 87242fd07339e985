"""Exports (CSV, XLSX) of a tiers-lieu's bookings, built from the rows
`selectors.organisation_bookings` returned; cells neutralised as in every export of Médiane."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

from django.utils.translation import gettext as _

from mediane.core.spreadsheet import rows_to_csv, rows_to_xlsx
from mediane.tierslieux.models import Booking

EXPORT_MAX_ROWS = 10000

COLUMNS = (
    "id", "resource", "resource_kind", "unit", "date", "start", "end", "time_zone", "booker",
    "booker_email", "status", "tariff", "price", "currency", "note", "created_at", "cancelled_at",
)  # fmt: skip


def booking_row(booking: Booking) -> dict[str, Any]:
    resource = booking.resource
    zone = resource.zone
    start, end = booking.starts_at.astimezone(zone), booking.ends_at.astimezone(zone)
    return {
        "id": booking.pk,
        "resource": resource.name,
        "resource_kind": str(resource.get_kind_display()),  # type: ignore[attr-defined]
        "unit": booking.unit,
        "date": start.date().isoformat(),
        "start": f"{start:%H:%M}",
        "end": f"{end:%H:%M}",
        "time_zone": resource.time_zone,
        "booker": booking.user.full_name,
        "booker_email": booking.user.email,
        "status": booking.status,
        "tariff": booking.tariff,
        "price": float(booking.price),
        "currency": booking.currency,
        "note": booking.note,
        "created_at": booking.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "cancelled_at": booking.cancelled_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        if booking.cancelled_at
        else "",
    }


def booking_rows(bookings: Iterable[Booking]) -> list[dict[str, Any]]:
    return [booking_row(booking) for booking in islice(bookings, EXPORT_MAX_ROWS)]


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    return rows_to_csv(rows, COLUMNS)


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    return rows_to_xlsx(rows, COLUMNS, sheet_title=_("Réservations"))
