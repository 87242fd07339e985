"""Limit/offset pagination shared by the list operations.

Every list answers `{"count": N, "limit": L, "offset": O, "results": [...]}`. Page sizes above
`MAX_LIMIT` are capped rather than refused, and offsets beyond the end give an empty page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from ninja import Field, Schema

MAX_LIMIT = 100
MAX_OFFSET = 1_000_000


class PageIn(Schema):
    """Pagination parameters; mixed into each list operation's input schema."""

    limit: int = Field(
        default_factory=lambda: settings.PAGE_SIZE,
        ge=1,
        description="Nombre de résultats par page (1 à 100 ; au-delà, ramené à 100).",
    )
    offset: int = Field(0, ge=0, description="Nombre de résultats à sauter.")

    def window(self) -> tuple[int, int]:
        """(limit, offset) made safe: limit capped, offset bounded."""
        return min(self.limit, MAX_LIMIT), min(self.offset, MAX_OFFSET)


class PageOut(Schema):
    count: int = Field(description="Nombre total de résultats.")
    limit: int
    offset: int


def page(*, count: int, limit: int, offset: int, results: list[Any]) -> dict[str, Any]:
    return {"count": count, "limit": limit, "offset": offset, "results": results}


def paginate(
    rows: Any, params: PageIn, present: Callable[[Any], Any] | None = None
) -> dict[str, Any]:
    """The page of `rows` (a queryset or a list) that `params` asks for, counted in full; each
    row of the page goes through `present` when given."""
    limit, offset = params.window()
    count = len(rows) if isinstance(rows, list) else rows.count()
    results = list(rows[offset : offset + limit])
    if present is not None:
        results = [present(row) for row in results]
    return page(count=count, limit=limit, offset=offset, results=results)
