"""Global search page, its htmx results fragment and the suggestions endpoint."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from mediane.search.selectors import MAX_OFFSET, autocomplete, kind_label
from mediane.search.selectors import search as run_search
from mediane.search.services import registered_kinds

MAX_QUERY_LENGTH = 200


def _page_number(value: str | None) -> int:
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return max(1, min(number, MAX_OFFSET // settings.PAGE_SIZE + 1))


def _pages(current: int, last: int) -> list[int | None]:
    """Page numbers to link: first, last and neighbours of the current one (None: a gap)."""
    shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    pages: list[int | None] = []
    for number in shown:
        if pages and number - (pages[-1] or 0) > 1:
            pages.append(None)
        pages.append(number)
    return pages


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The search page; with htmx (`HX-Request`), only the results fragment."""
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    kinds = registered_kinds()
    kind = request.GET.get("type", "")
    kind = kind if kind in kinds else ""
    page = _page_number(request.GET.get("page"))
    size = settings.PAGE_SIZE
    results = run_search(
        user=request.user,
        query=query,
        kinds=[kind] if kind else None,
        limit=size,
        offset=(page - 1) * size,
    )
    last_page = max(1, min((results.total + size - 1) // size, MAX_OFFSET // size + 1))
    context = {
        "query": query,
        "kind": kind,
        "kinds": [(value, kind_label(value)) for value in kinds],
        "results": results,
        "page": page,
        "pages": _pages(page, last_page) if last_page > 1 else [],
        "last_page": last_page,
    }
    # htmx asks for the fragment; a history restore after a cache miss needs the whole page.
    is_htmx = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    template = "search/_results.html" if is_htmx else "search/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


@require_GET
def suggestions(request: HttpRequest) -> JsonResponse:
    """Titles starting with the typed words, for the search box (JSON)."""
    prefix = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    hits = autocomplete(user=request.user, prefix=prefix)
    data = [
        {"title": h.title, "url": h.url, "kind": h.kind, "kind_label": h.kind_label} for h in hits
    ]
    return JsonResponse({"query": prefix, "suggestions": data})
