"""Permission-aware reads of solutions. The pages, the API, the exports and the map data call
these, so they all see the same rows: a draft or a sheet the user may not read never leaks."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from mediane.cooperation.models import ProjectStatus, ProjectVisibility
from mediane.core.errors import NotFound
from mediane.core.models import choice_label
from mediane.core.permissions import is_network_member, is_secretariat, user_roles, visible_q
from mediane.market.models import PUBLIC_STATUSES
from mediane.search.selectors import search_filter_queryset
from mediane.solutions.models import Replication, SolutionSheet, SolutionStatus, TargetKind
from mediane.solutions.services import SEARCH_KIND
from mediane.territories.models import Country


class SolutionNotFound(NotFound, Http404):
    code = "not_found"


def solutions_visible(user: Any) -> QuerySet[SolutionSheet]:
    """Published sheets the user may read, plus the drafts of the user's own cities."""
    if is_secretariat(user):
        return SolutionSheet.objects.all()
    q = Q(status=SolutionStatus.PUBLISHED) & visible_q(user, owner_field="organisation_id")
    own = list(user_roles(user))
    if own:
        q |= Q(organisation_id__in=own)
    return SolutionSheet.objects.filter(q)


def solutions_published(user: Any) -> QuerySet[SolutionSheet]:
    """Published sheets the user may read (the API, the exports, the network page)."""
    return SolutionSheet.objects.filter(
        Q(status=SolutionStatus.PUBLISHED) & visible_q(user, owner_field="organisation_id")
    )


def solution_get_for(user: Any, *, slug: str) -> SolutionSheet:
    sheet = (
        solutions_visible(user)
        .select_related("organisation__territory", "supplier_organisation", "supplier_offer")
        .prefetch_related("sectors", "indicators")
        .filter(slug=slug)
        .first()
    )
    if sheet is None:
        raise SolutionNotFound(
            _("Cette fiche solution n'existe pas ou ne vous est pas accessible.")
        )
    return sheet


@dataclass
class SolutionFilters:
    query: str = ""
    sector: str = ""
    country: str = ""
    city: str = ""  # organisation slug of the city
    supplier: str = ""  # supplier organisation slug
    mine: bool = False
    published_only: bool = False


@dataclass
class SolutionResults:
    solutions: QuerySet[SolutionSheet]
    total: int = 0
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)


def solutions_search(user: Any, filters: SolutionFilters) -> SolutionResults:
    """The list page, the API and the exports: readable sheets, searched and filtered, with the
    replication count (`replication_count`) and facet counts over the searched set."""
    qs = solutions_published(user) if filters.published_only else solutions_visible(user)
    if filters.mine:
        qs = qs.filter(organisation_id__in=list(user_roles(user)))
    ordering: list[str] = ["-published_at", "-created_at", "-id"]
    if filters.query.strip():
        qs = search_filter_queryset(qs, query=filters.query, kind=SEARCH_KIND)
        ordering = ["-search_rank", *ordering]
    base = qs
    if filters.sector:
        qs = qs.filter(sectors__slug=filters.sector)
    if filters.country:
        qs = qs.filter(organisation__country=filters.country)
    if filters.city:
        qs = qs.filter(organisation__slug=filters.city)
    if filters.supplier:
        qs = qs.filter(supplier_organisation__slug=filters.supplier)
    # Count only the replications the user may read (those `replications_of` lists): a draft
    # challenge or project of another city is not news for visitors outside the network.
    replications = (
        replications_visible(user)
        .filter(solution=OuterRef("pk"))
        .order_by()
        .values("solution")
        .annotate(n=Count("pk"))
        .values("n")
    )
    total = qs.count()
    qs = (
        qs.select_related("organisation__territory", "supplier_organisation", "supplier_offer")
        .prefetch_related("sectors")
        .annotate(
            replication_count=Coalesce(Subquery(replications, output_field=IntegerField()), 0)
        )
        .order_by(*ordering)
    )
    facets: dict[str, list[tuple[str, str, int]]] = {}
    sectors: Counter[tuple[str, str]] = Counter(
        base.values_list("sectors__slug", "sectors__name").exclude(sectors__slug=None)
    )
    facets["sector"] = sorted(
        ((slug, name, n) for (slug, name), n in sectors.items()), key=lambda f: f[1]
    )
    countries: Counter[str] = Counter(base.values_list("organisation__country", flat=True))
    facets["country"] = [(c, choice_label(Country, c), n) for c, n in sorted(countries.items())]
    cities: Counter[tuple[str, str]] = Counter(
        base.values_list("organisation__slug", "organisation__name")
    )
    facets["city"] = sorted(((s, n, c) for (s, n), c in cities.items()), key=lambda f: f[1])
    suppliers: Counter[tuple[str, str]] = Counter(
        base.exclude(supplier_organisation=None).values_list(
            "supplier_organisation__slug", "supplier_organisation__name"
        )
    )
    facets["supplier"] = sorted(((s, n, c) for (s, n), c in suppliers.items()), key=lambda f: f[1])
    return SolutionResults(solutions=qs, total=total, facets=facets)


def replications_visible(user: Any) -> QuerySet[Replication]:
    """Replications the user may read (same answer as the rule `Replication.view`)."""
    qs = Replication.objects.all()
    if is_secretariat(user):
        return qs
    own = list(user_roles(user))
    readable_sheets = solutions_visible(user).values("pk")
    if is_network_member(user):
        q = Q(solution__in=readable_sheets)
    else:
        # Outside the network, a replication shows once its target is readable by anybody:
        # a challenge in a public state, a project out of draft with a public page.
        q = Q(solution__in=readable_sheets) & (
            Q(kind=TargetKind.CHALLENGE, challenge__status__in=PUBLIC_STATUSES)
            | Q(
                kind=TargetKind.PROJECT,
                project__visibility=ProjectVisibility.PUBLIC,
                project__isnull=False,
            )
            & ~Q(project__status=ProjectStatus.DRAFT)
        )
    if own:
        q |= Q(organisation_id__in=own)
    return qs.filter(q)


def replications_of(user: Any, sheet: SolutionSheet) -> QuerySet[Replication]:
    return (
        replications_visible(user)
        .filter(solution=sheet)
        .select_related("organisation__territory", "challenge", "project", "created_by")
        .order_by("-created_at", "-id")
    )


def replications_network(user: Any) -> QuerySet[Replication]:
    """Every replication the user may read, with its source: the network page and its map."""
    return (
        replications_visible(user)
        .select_related(
            "solution__organisation__territory", "organisation__territory", "challenge", "project"
        )
        .order_by("solution__title", "-created_at", "-id")
    )


def place_of(organisation: Any) -> tuple[float, float] | None:
    """(latitude, longitude) of a city: its own point, else its territory's."""
    if organisation.latitude is not None and organisation.longitude is not None:
        return (organisation.latitude, organisation.longitude)
    territory = organisation.territory
    if territory is not None and territory.latitude is not None and territory.longitude is not None:
        return (territory.latitude, territory.longitude)
    return None


def replication_geojson(replications: list[Replication]) -> dict[str, Any]:
    """GeoJSON of the network page's map: one point per city (source or replicating) and one
    line from the source city to each replicating city."""
    points: dict[int, dict[str, Any]] = {}
    lines: list[dict[str, Any]] = []

    def point(organisation: Any, role: str) -> dict[str, Any] | None:
        where = place_of(organisation)
        if where is None:
            return None
        entry = points.get(organisation.pk)
        if entry is None:
            entry = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [where[1], where[0]]},
                "properties": {
                    "name": organisation.name,
                    "url": organisation.get_absolute_url(),
                    "sources": 0,
                    "replications": 0,
                },
            }
            points[organisation.pk] = entry
        entry["properties"][role] += 1
        return entry

    seen_sources: set[int] = set()
    for replication in replications:
        sheet = replication.solution
        source = None
        if sheet.pk not in seen_sources:
            seen_sources.add(sheet.pk)
            source = point(sheet.organisation, "sources")
        else:
            where = place_of(sheet.organisation)
            source = points.get(sheet.organisation.pk) if where else None
        target = point(replication.organisation, "replications")
        if source is None or target is None:
            continue
        lines.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [
                        source["geometry"]["coordinates"],
                        target["geometry"]["coordinates"],
                    ],
                },
                "properties": {
                    "solution": sheet.title,
                    "url": sheet.get_absolute_url(),
                    "from": sheet.organisation.name,
                    "to": replication.organisation.name,
                    "status": replication.status_label,
                },
            }
        )
    return {"type": "FeatureCollection", "features": [*points.values(), *lines]}
