"""API of territories: read-only list with filters, and detail (territories are public)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.conf import settings
from ninja import Field, Query, Router, Schema

from mediane.api.errors import READ_ERRORS, error_responses
from mediane.api.pagination import PageIn, PageOut, page
from mediane.territories import selectors
from mediane.territories.models import Territory

router = Router(tags=["Territoires"])


# --- schemas ---------------------------------------------------------------------------------


class TerritoryListIn(PageIn):
    country: Literal["FR", "QC"] | None = Field(None, description="Pays : FR ou QC.")
    kind: Literal["country", "region", "departement", "grouping", "municipality"] | None = Field(
        None,
        description=(
            "Niveau : country, region, departement, grouping (EPCI ou MRC), "
            "municipality (commune ou municipalité)."
        ),
    )
    medium_city: bool = Field(
        False, description="true : seulement les villes médianes (population dans la fourchette)."
    )
    network_member: bool = Field(
        False, description="true : seulement les membres actifs (ou fondateurs) du réseau."
    )
    q: str = Field(
        "",
        max_length=100,
        description="Partie du nom (ou début du code officiel / code postal si numérique).",
    )


class TerritoryRefOut(Schema):
    slug: str
    name: str


class TerritoryOut(Schema):
    slug: str
    name: str
    country: str
    kind: str
    kind_label: str
    code: str
    population: int | None
    latitude: float | None
    longitude: float | None
    is_medium_city: bool
    network_status: str | None = Field(
        description="Statut d'adhésion au réseau (active, founder, candidate…) ou null."
    )
    url: str

    @staticmethod
    def resolve_network_status(obj: Territory) -> str | None:
        membership = getattr(obj, "network_membership", None)
        return membership.status if membership else None

    @staticmethod
    def resolve_url(obj: Territory) -> str:
        return settings.SITE_URL + obj.get_absolute_url()


class TerritoryListOut(PageOut):
    results: list[TerritoryOut]


class TerritoryDetailOut(TerritoryOut):
    designation: str
    subtype: str
    siren: str
    postal_codes: str
    website: str
    time_zone: str
    parent: TerritoryRefOut | None
    grouping: TerritoryRefOut | None
    member_since: date | None

    @staticmethod
    def resolve_member_since(obj: Territory) -> date | None:
        membership = getattr(obj, "network_membership", None)
        return membership.member_since if membership else None


# --- operations ------------------------------------------------------------------------------


@router.get(
    "/territories",
    response={200: TerritoryListOut, **error_responses(*READ_ERRORS)},
    operation_id="territories_list",
    summary="Lister les territoires",
    description=(
        "Communes, municipalités, EPCI, MRC, départements, régions de France et du Québec, "
        "filtrés par pays, niveau, ville médiane, adhésion au réseau et nom ; paginés."
    ),
)
def territories_list(request, filters: Query[TerritoryListIn]):  # type: ignore[no-untyped-def]
    limit, offset = filters.window()
    qs = selectors.territories_filter(
        filters=selectors.TerritoryFilters(
            country=filters.country or "",
            kind=filters.kind or "",
            medium_city=filters.medium_city,
            network_member=filters.network_member,
            q=filters.q.strip(),
        )
    )
    return page(
        count=qs.count(), limit=limit, offset=offset, results=list(qs[offset : offset + limit])
    )


@router.get(
    "/territories/{slug}",
    response={200: TerritoryDetailOut, **error_responses(404, *READ_ERRORS)},
    operation_id="territory_get",
    summary="Consulter un territoire",
    description=(
        "Fiche d'un territoire : codes, population, niveaux supérieurs, adhésion au réseau."
    ),
)
def territory_get(request, slug: str):  # type: ignore[no-untyped-def]
    return selectors.territory_get(slug=slug)
