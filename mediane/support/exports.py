"""Exports of the secretariat's list of support requests: CSV and XLSX.

The caller passes the rows of `selectors.requests_list_for` (secretariat only, same filters as
the list). Cells go through `core.spreadsheet.neutralise` (no formula injection); the writers
are the shared ones of `core.spreadsheet` with this export's columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import islice
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.core.spreadsheet import rows_to_csv, rows_to_xlsx
from mediane.support.models import OfferStatus, SupportRequest

EXPORT_MAX_ROWS = 5000

COLUMNS = (
    "id", "subject", "status", "status_label", "organisation", "requester", "territory",
    "language", "urgency", "skills", "filed_at", "taken_at", "expert", "experts_offered",
    "experts_declined", "last_activity_at", "closed_at", "satisfaction", "outcome", "url",
)  # fmt: skip


def _local(value: datetime | None) -> str:
    """In the secretariat's zone (the site's), minutes precision."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def request_row(request: SupportRequest) -> dict[str, Any]:
    offers = list(request.offers.all())  # type: ignore[attr-defined]
    return {
        "id": request.pk,
        "subject": request.subject,
        "status": request.status,
        "status_label": str(request.get_status_display()),  # type: ignore[attr-defined]
        "organisation": request.organisation.name,
        "requester": request.requester.get_full_name() if request.requester else "",  # type: ignore[union-attr]
        "territory": request.territory.name,
        "language": request.language,
        "urgency": str(request.get_urgency_display()),  # type: ignore[attr-defined]
        "skills": ", ".join(s.name for s in request.skills.all()),
        "filed_at": _local(request.filed_at),
        "taken_at": _local(request.taken_at),
        "expert": request.expert.name if request.expert else "",
        "experts_offered": ", ".join(o.expert.name for o in offers),
        "experts_declined": ", ".join(
            o.expert.name for o in offers if o.status == OfferStatus.DECLINED
        ),
        "last_activity_at": _local(request.last_activity_at),
        "closed_at": _local(request.closed_at),
        "satisfaction": request.satisfaction,
        "outcome": request.outcome,
        "url": settings.SITE_URL + request.get_absolute_url(),
    }


def request_rows(requests: Iterable[SupportRequest]) -> list[dict[str, Any]]:
    return [request_row(request) for request in islice(requests, EXPORT_MAX_ROWS)]


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    return rows_to_csv(rows, COLUMNS)


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    return rows_to_xlsx(rows, COLUMNS, sheet_title=_("Demandes"))
