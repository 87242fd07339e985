"""API of solutions: published solution sheets the caller may read, and their replications.

Every route reads through `mediane.solutions.selectors`: a draft, or a sheet the caller may not
read, is 404; the replications are those the caller may read (members of the network see the
ones in preparation; others only those whose challenge is public).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from mediane.api.auth import request_user
from mediane.api.errors import READ_ERRORS, error_responses
from mediane.api.pagination import PageIn, PageOut, page
from mediane.core.permissions import can
from mediane.solutions import selectors
from mediane.solutions.models import Replication, SolutionSheet

router = Router(tags=["Solutions"])


class IndicatorOut(Schema):
    name: str
    unit: str
    value_before: Decimal | None = None
    value_after: Decimal | None = None
    measured_on: date | None = None


class SolutionOut(Schema):
    slug: str
    title: str
    summary: str
    city: str = Field(description="Nom de la ville (organisation) qui a déployé la solution.")
    city_slug: str
    country: str
    sectors: list[str] = Field(description="Identifiants des secteurs.")
    supplier: str = Field(description="Fournisseur (organisation de l'annuaire ou nom libre).")
    supplier_offer: str | None = Field(None, description="Identifiant de l'offre du fournisseur.")
    cost_amount: int | None = None
    currency: str
    duration_months: int | None = None
    deployed_on: date | None = None
    visibility: str = Field(description="public, network (membres du réseau) ou private.")
    replication_count: int
    published_at: datetime | None = None
    url: str

    @staticmethod
    def resolve_city(obj: SolutionSheet) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_city_slug(obj: SolutionSheet) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_country(obj: SolutionSheet) -> str:
        return obj.organisation.country

    @staticmethod
    def resolve_sectors(obj: SolutionSheet) -> list[str]:
        return [s.slug for s in obj.sectors.all()]

    @staticmethod
    def resolve_supplier(obj: SolutionSheet) -> str:
        if obj.supplier_organisation is not None:
            return obj.supplier_organisation.name
        return obj.supplier_name

    @staticmethod
    def resolve_supplier_offer(obj: SolutionSheet) -> str | None:
        return obj.supplier_offer.slug if obj.supplier_offer else None

    @staticmethod
    def resolve_replication_count(obj: SolutionSheet) -> int:
        return int(getattr(obj, "replication_count", 0))

    @staticmethod
    def resolve_url(obj: SolutionSheet) -> str:
        return settings.SITE_URL + obj.get_absolute_url()


class SolutionDetailOut(SolutionOut):
    problem: str
    solution: str
    results: str
    lessons: str
    contact_role: str = Field(description="Une fonction ou un service, jamais une personne.")
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_indicators(obj: SolutionSheet) -> list[object]:
        return list(obj.indicators.all())  # type: ignore[attr-defined]


class SolutionsIn(PageIn):
    q: str = Field("", max_length=200)
    sector: str = Field("", max_length=60)
    country: str = Field("", max_length=2)
    city: str = Field("", max_length=220, description="Identifiant de la ville.")
    supplier: str = Field("", max_length=220, description="Identifiant du fournisseur.")


class SolutionsOut(PageOut):
    results: list[SolutionOut]


class ReplicationOut(Schema):
    id: int
    solution: str = Field(description="Identifiant de la solution reproduite.")
    solution_title: str
    source_city: str
    city: str = Field(description="Ville qui reproduit la solution.")
    city_slug: str
    kind: str = Field(description="challenge (défi) ou project (projet de coopération).")
    status: str = Field(description="État du défi ou du projet créé.")
    target_url: str | None = Field(
        None, description="Page du défi ou du projet, si l'appelant peut la lire."
    )
    outcome_note: str
    created_at: datetime

    @staticmethod
    def resolve_solution(obj: Replication) -> str:
        return obj.solution.slug

    @staticmethod
    def resolve_solution_title(obj: Replication) -> str:
        return obj.solution.title

    @staticmethod
    def resolve_source_city(obj: Replication) -> str:
        return obj.solution.organisation.name

    @staticmethod
    def resolve_city(obj: Replication) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_city_slug(obj: Replication) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_status(obj: Replication) -> str:
        target = obj.target
        return str(getattr(target, "status", "")) if target is not None else "deleted"

    @staticmethod
    def resolve_target_url(obj: Replication) -> str | None:
        return getattr(obj, "_target_url", None)


class ReplicationsOut(PageOut):
    results: list[ReplicationOut]


def _with_target_urls(request, rows: list[Replication]) -> list[Replication]:  # type: ignore[no-untyped-def]
    user = request_user(request)
    for row in rows:
        target = row.target
        if target is not None and can(user, "view", target):
            row._target_url = settings.SITE_URL + target.get_absolute_url()  # type: ignore[attr-defined]
    return rows


@router.get(
    "/solutions",
    response={200: SolutionsOut, **error_responses(*READ_ERRORS)},
    operation_id="solutions_list",
    summary="Lister les solutions reproductibles",
    description=(
        "Les fiches solutions publiées que l'appelant peut lire (publiques ; avec un jeton, aussi "
        "celles des membres du réseau et de ses organisations), avec recherche plein texte, "
        "filtres (secteur, pays, ville, fournisseur) et le nombre de reproductions ; paginées "
        "(`limit`, `offset`)."
    ),
)
def solutions_list(request, params: Query[SolutionsIn]):  # type: ignore[no-untyped-def]
    limit, offset = params.window()
    result = selectors.solutions_search(
        request_user(request),
        selectors.SolutionFilters(
            query=params.q,
            sector=params.sector,
            country=params.country.upper(),
            city=params.city,
            supplier=params.supplier,
            published_only=True,
        ),
    )
    return page(
        count=result.total,
        limit=limit,
        offset=offset,
        results=list(result.solutions[offset : offset + limit]),
    )


@router.get(
    "/solutions/replications",
    response={200: ReplicationsOut, **error_responses(*READ_ERRORS)},
    operation_id="replications_list",
    summary="Lister les reproductions de solutions",
    description=(
        "Quelle solution est allée où : les reproductions que l'appelant peut lire, avec la "
        "ville d'origine, la ville qui reproduit et l'état du défi ou du projet créé ; "
        "paginées (`limit`, `offset`)."
    ),
)
def replications_list(request, params: Query[PageIn]):  # type: ignore[no-untyped-def]
    limit, offset = params.window()
    qs = selectors.replications_network(request_user(request))
    rows = list(qs[offset : offset + limit])
    return page(
        count=qs.count(), limit=limit, offset=offset, results=_with_target_urls(request, rows)
    )


def _sheet(request, slug: str) -> SolutionSheet:  # type: ignore[no-untyped-def]
    sheet = selectors.solution_get_for(request_user(request), slug=slug)
    if not sheet.is_published:
        raise selectors.SolutionNotFound(_("Cette fiche solution n'est pas publiée."))
    return sheet


@router.get(
    "/solutions/{slug}",
    response={200: SolutionDetailOut, **error_responses(404, *READ_ERRORS)},
    operation_id="solution_get",
    summary="Consulter une fiche solution",
    description=(
        "La fiche complète (problème, solution, fournisseur, coût, résultats et indicateurs, "
        "enseignements, contact par fonction). 404 si elle n'existe pas, n'est pas publiée ou "
        "n'est pas lisible par l'appelant."
    ),
)
def solution_get(request, slug: str):  # type: ignore[no-untyped-def]
    sheet = _sheet(request, slug)
    sheet.replication_count = selectors.replications_of(request_user(request), sheet).count()  # type: ignore[attr-defined]
    return sheet


@router.get(
    "/solutions/{slug}/replications",
    response={200: ReplicationsOut, **error_responses(404, *READ_ERRORS)},
    operation_id="solution_replications",
    summary="Lister les reproductions d'une solution",
    description=(
        "Les villes qui reproduisent la solution, en défi ou en projet, avec l'état du brouillon "
        "ou de la publication ; paginées (`limit`, `offset`). 404 si la fiche n'est pas lisible."
    ),
)
def solution_replications(request, slug: str, params: Query[PageIn]):  # type: ignore[no-untyped-def]
    limit, offset = params.window()
    sheet = _sheet(request, slug)
    qs = selectors.replications_of(request_user(request), sheet).select_related(
        "solution__organisation"
    )
    rows = list(qs[offset : offset + limit])
    return page(
        count=qs.count(), limit=limit, offset=offset, results=_with_target_urls(request, rows)
    )
