"""Exports of the project list: CSV and XLSX, built from the rows a selector returned.

The caller passes the projects the user may see (`projects_list_for`), so an export never holds
more than the `/cooperation/projets/` list. Only public fields are written (partners, budget
total); the shares stay in the workspace. Text cells are neutralised against formula injection
(`core.spreadsheet.neutralise`), as the market's exports.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from mediane.cooperation.models import PartnerRole, Project, ProjectStatus
from mediane.core.models import choice_label
from mediane.core.spreadsheet import rows_to_csv, rows_to_xlsx

EXPORT_MAX_ROWS = 5000

COLUMNS = (
    "slug", "title", "status", "status_label", "lead", "partners", "partner_count", "countries",
    "sectors", "summary", "visibility", "budget_total", "currency", "created_at", "url",
)  # fmt: skip


def project_row(project: Project) -> dict[str, Any]:
    """One project as plain values (partners and sectors prefetched)."""
    links = list(project.partner_links.all())  # type: ignore[attr-defined]
    lead = [link.organisation for link in links if link.role == PartnerRole.LEAD]
    others = [link.organisation for link in links if link.role != PartnerRole.LEAD]
    path = project.get_absolute_url()
    return {
        "slug": project.slug,
        "title": project.title,
        "status": project.status,
        "status_label": choice_label(ProjectStatus, project.status),
        "lead": lead[0].name if lead else "",
        "partners": ", ".join(o.name for o in others),
        "partner_count": len(links),
        "countries": ", ".join(sorted({o.country for o in lead + others})),
        "sectors": ", ".join(s.name for s in project.sectors.all()),
        "summary": project.summary,
        "visibility": project.visibility,
        "budget_total": float(project.budget_total) if project.budget_total is not None else None,
        "currency": project.currency,
        "created_at": project.created_at.date().isoformat(),
        "url": settings.SITE_URL + path if path else "",
    }


def project_rows(projects: Iterable[Project]) -> list[dict[str, Any]]:
    return [project_row(project) for project in islice(projects, EXPORT_MAX_ROWS)]


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    return rows_to_csv(rows, COLUMNS)


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    return rows_to_xlsx(rows, COLUMNS, sheet_title=_("Projets"))
