"""Exports of the project list (CSV, XLSX): what `/cooperation/projets/` shows to the same
person, with the same filters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from mediane.cooperation import exports
from mediane.cooperation.selectors import ProjectFilters, projects_list_for
from mediane.core.spreadsheet import export_response

FORMATS: dict[str, Callable[[list[dict[str, Any]]], bytes]] = {
    "csv": exports.to_csv,
    "xlsx": exports.to_xlsx,
}


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    projects = projects_list_for(request.user, ProjectFilters.from_params(request.GET))
    rows = exports.project_rows(projects[: exports.EXPORT_MAX_ROWS])
    stamp = timezone.localdate().isoformat()
    return export_response(
        FORMATS[fmt](rows),
        fmt,
        f"projets-mediane-{stamp}.{fmt}",
        private=request.user.is_authenticated,  # may hold the caller's drafts
    )


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")
