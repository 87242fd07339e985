"""Exports of the challenge list (CSV, XLSX, JSON) and the Atom feed of open challenges.

The exports read exactly what the `/defis/` list shows to the same person, with the same
filters (`challenges_list_for(user, ChallengeFilters.from_params(request.GET))`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from mediane.market import exports
from mediane.market.feeds import OpenChallengesFeed
from mediane.market.selectors import ChallengeFilters, challenges_list_for

FORMATS: dict[str, tuple[Callable[[list[dict[str, Any]]], bytes], str]] = {
    "csv": (exports.to_csv, "text/csv; charset=utf-8"),
    "xlsx": (
        exports.to_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "json": (exports.to_json, "application/json; charset=utf-8"),
}


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    filters = ChallengeFilters.from_params(request.GET)
    challenges = challenges_list_for(request.user, filters).prefetch_related("territories")
    rows = exports.challenge_rows(challenges[: exports.EXPORT_MAX_ROWS])
    render, content_type = FORMATS[fmt]
    response = HttpResponse(render(rows), content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="defis-mediane-{stamp}.{fmt}"'
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


@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    return _export(request, "json")


feed = require_GET(OpenChallengesFeed())
