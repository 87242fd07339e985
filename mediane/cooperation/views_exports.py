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

FORMATS: dict[str, tuple[Callable[[list[dict[str, Any]]], bytes], str]] = {
    "csv": (exports.to_csv, "text/csv; charset=utf-8"),
    "xlsx": (
        exports.to_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    projects = projects_list_for(request.user, ProjectFilters.from_params(request.GET))
    rows = exports.project_rows(projects[: exports.EXPORT_MAX_ROWS])
    render, content_type = FORMATS[fmt]
    response = HttpResponse(render(rows), content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="projets-mediane-{stamp}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    if request.user.is_authenticated:
        response["Cache-Control"] = "private, no-store"  # may hold the caller's drafts
    return response


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")
