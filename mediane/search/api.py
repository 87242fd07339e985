"""API of the global search: the same selector, ranking and visibility as the search page."""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from mediane.api.auth import request_user
from mediane.api.errors import READ_ERRORS, error_responses
from mediane.api.pagination import PageIn, PageOut, page

router = Router(tags=["Recherche"])

KIND_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class SearchIn(PageIn):
    q: str = Field("", max_length=200, description="Texte recherché (accents et casse ignorés).")
    kinds: str = Field(
        "",
        max_length=200,
        description=(
            "Types d'objets, séparés par des virgules : organisation, expert, territory… "
            "Vide : tous les types."
        ),
    )

    @field_validator("kinds")
    @classmethod
    def _check_kinds(cls, value: str) -> str:
        kinds = [kind.strip() for kind in value.split(",") if kind.strip()]
        for kind in kinds:
            if not KIND_RE.match(kind):
                raise ValueError(_("Type inconnu : « %(kind)s ».") % {"kind": kind[:40]})
        return ",".join(kinds)

    def kind_list(self) -> list[str] | None:
        return self.kinds.split(",") if self.kinds else None


class SearchHitOut(Schema):
    kind: str
    object_id: int
    title: str
    url: str
    snippet: str = Field(description="Extrait en HTML sûr, termes trouvés entourés de <mark>.")
    rank: float


class SearchOut(PageOut):
    results: list[SearchHitOut]


def _absolute(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url


@router.get(
    "/search",
    response={200: SearchOut, **error_responses(*READ_ERRORS)},
    operation_id="search",
    summary="Rechercher",
    description=(
        "Recherche plein texte dans tout Médiane (organisations, experts, territoires…), "
        "classée par pertinence, avec extraits surlignés. Seuls les objets visibles par "
        "l'appelant sont renvoyés."
    ),
)
def search(request, params: Query[SearchIn]):  # type: ignore[no-untyped-def]
    from mediane.search.selectors import search as search_selector

    limit, offset = params.window()
    if not params.q.strip():
        return page(count=0, limit=limit, offset=offset, results=[])
    found = search_selector(
        user=request_user(request),
        query=params.q,
        kinds=params.kind_list(),
        limit=limit,
        offset=offset,
    )
    results = [
        {
            "kind": hit.kind,
            "object_id": hit.object_id,
            "title": hit.title,
            "url": _absolute(hit.url),
            "snippet": str(hit.snippet),
            "rank": float(hit.rank),
        }
        for hit in found.hits
    ]
    return page(count=found.total, limit=limit, offset=offset, results=results)
