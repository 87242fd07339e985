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

from mediane.core.spreadsheet import export_response
from mediane.market import exports
from mediane.market.feeds import OpenChallengesFeed
from mediane.market.selectors import ChallengeFilters, challenges_list_for

FORMATS: dict[str, Callable[[list[dict[str, Any]]], bytes]] = {
    "csv": exports.to_csv,
    "xlsx": exports.to_xlsx,
    "json": exports.to_json,
}


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    filters = ChallengeFilters.from_params(request.GET)
    challenges = challenges_list_for(request.user, filters).prefetch_related("territories")
    rows = exports.challenge_rows(challenges[: exports.EXPORT_MAX_ROWS])
    stamp = timezone.localdate().isoformat()
    return export_response(
        FORMATS[fmt](rows),
        fmt,
        f"defis-mediane-{stamp}.{fmt}",
        private=request.user.is_authenticated,  # may hold the caller's drafts
    )


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
