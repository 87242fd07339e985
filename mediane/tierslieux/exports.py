"""Exports (CSV, XLSX) of a tiers-lieu's bookings, built from the rows
`selectors.organisation_bookings` returned; cells neutralised as in every export of Médiane."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
    rows = []
    for index, booking in enumerate(bookings):
        if index >= EXPORT_MAX_ROWS:
            break
        rows.append(booking_row(booking))
    return rows


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a BOM, comma-separated, every text cell neutralised."""
    import csv
    import io

    from mediane.core.spreadsheet import neutralise

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([neutralise("" if row[key] is None else row[key]) for key in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    from mediane.core.spreadsheet import neutralise

    def cell(value: Any) -> Any:
        if isinstance(value, str):
            return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
        return value

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Réservations"
    sheet.append(list(COLUMNS))
    for header_cell in sheet[1]:
        header_cell.font = Font(bold=True)
    for row in rows:
        sheet.append([cell(row[key]) for key in COLUMNS])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
