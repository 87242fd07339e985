"""Exports of the challenge list: CSV, XLSX and JSON, built from the rows a selector returned.

The caller passes the challenges the user may see (`challenges_list_for`), so an export never
holds more than the `/defis/` list. Spreadsheet cells are neutralised: a text starting with
`=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a quote, so that no spreadsheet
evaluates it as a formula (CSV injection). JSON is data, not a spreadsheet: values stay as is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import islice
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from mediane.core.spreadsheet import neutralise as neutralise  # re-exported
from mediane.core.spreadsheet import rows_to_csv, rows_to_xlsx
from mediane.directory.sanitize import html_to_text
from mediane.market.models import Challenge, IssuerRole
from mediane.market.services import local_time

#: Most rows written by one export (the list is filtered before).
EXPORT_MAX_ROWS = 5000


#: Exported fields, in order: the CSV and XLSX headers and the JSON keys (as the directory's
#: export, stable English identifiers).
COLUMNS = (
    "slug", "title", "status", "status_label", "lead_issuer", "co_issuers", "countries",
    "sectors", "territories", "summary", "problem", "budget_min", "budget_max", "currency",
    "pilot_duration_months", "opens_at", "closes_at", "time_zone", "published_at", "url",
)  # fmt: skip


def _local(value: Any, zone: str) -> str:
    """A date-time as read on the challenge's page: in its zone, minutes precision."""
    local = local_time(value, zone)
    return local.strftime("%Y-%m-%d %H:%M") if local is not None else ""


def challenge_row(challenge: Challenge) -> dict[str, Any]:
    """One challenge as plain values (issuers, sectors and territories prefetched)."""
    links = list(challenge.issuer_links.all())  # type: ignore[attr-defined]
    lead = [link.organisation for link in links if link.role == IssuerRole.LEAD]
    co = [link.organisation for link in links if link.role != IssuerRole.LEAD]
    path = challenge.get_absolute_url()
    return {
        "slug": challenge.slug,
        "title": challenge.title,
        "status": challenge.status,
        "status_label": str(challenge.get_status_display()),  # type: ignore[attr-defined]
        "lead_issuer": lead[0].name if lead else "",
        "co_issuers": ", ".join(o.name for o in co),
        "countries": ", ".join(sorted({o.country for o in lead + co})),
        "sectors": ", ".join(s.name for s in challenge.sectors.all()),
        "territories": ", ".join(t.name for t in challenge.territories.all()),
        "summary": challenge.summary,
        "problem": html_to_text(challenge.problem),
        "budget_min": challenge.budget_min,
        "budget_max": challenge.budget_max,
        "currency": challenge.currency,
        "pilot_duration_months": challenge.pilot_duration_months,
        "opens_at": _local(challenge.opens_at, challenge.time_zone),
        "closes_at": _local(challenge.closes_at, challenge.time_zone),
        "time_zone": challenge.time_zone,
        "published_at": _local(challenge.published_at, challenge.time_zone),
        "url": settings.SITE_URL + path if path else "",
    }


def challenge_rows(challenges: Iterable[Challenge]) -> list[dict[str, Any]]:
    return [challenge_row(challenge) for challenge in islice(challenges, EXPORT_MAX_ROWS)]


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    return rows_to_csv(rows, COLUMNS)


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    return rows_to_xlsx(rows, COLUMNS, sheet_title=_("Défis"))


def to_json(rows: list[dict[str, Any]]) -> bytes:
    """`{"count": N, "results": [...]}` with the column keys as field names."""
    return json.dumps({"count": len(rows), "results": rows}, ensure_ascii=False, indent=2).encode(
        "utf-8"
    )
