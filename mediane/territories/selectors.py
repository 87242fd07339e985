"""Reads of territories. Territories, memberships and twinnings are public; organisations are not,
so `territory_organisations` filters them with the reader's visibility."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.http import Http404
from django.utils.translation import gettext as _

from mediane.core.permissions import visible_q
from mediane.territories.models import Country, Kind, Territory, Twinning

QUERY_MAX = 100


@dataclass
class TerritoryFilters:
    """Filters of the territory list; `from_params` never raises on bad input."""

    country: str = ""
    kind: str = ""
    medium_city: bool = False
    network_member: bool = False
    q: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, params: Any) -> TerritoryFilters:
        """Build from a QueryDict/dict; unknown values are dropped with a French message."""
        filters = cls(q=(params.get("q") or "").strip()[:QUERY_MAX])
        country = (params.get("country") or "").strip().upper()
        if country in Country.values:
            filters.country = country
        elif country:
            filters.errors.append(_("Pays inconnu : le filtre a été ignoré."))
        kind = (params.get("kind") or "").strip()
        if kind in Kind.values:
            filters.kind = kind
        elif kind:
            filters.errors.append(_("Niveau inconnu : le filtre a été ignoré."))
        filters.medium_city = _truthy(params.get("medium_city"))
        filters.network_member = _truthy(params.get("network_member"))
        return filters


def _truthy(value: Any) -> bool:
    return str(value or "").strip().lower() in {"1", "true", "on", "yes", "oui"}


def territories_filter(*, filters: TerritoryFilters) -> QuerySet[Territory]:
    """The filtered queryset, ordered (best name matches first when searching)."""
    qs = Territory.objects.select_related("parent", "grouping", "network_membership")
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.medium_city:
        qs = qs.medium_cities()
    if filters.network_member:
        qs = qs.network_members()
    query = filters.q
    if not query:
        return qs.order_by(Lower("name"), "pk")
    if query.isdigit():
        qs = qs.filter(Q(code__startswith=query) | Q(postal_codes__contains=query))
    else:
        qs = qs.filter(name__icontains=query)
    # Exact names, then prefixes, then the rest; bigger places first within each group.
    rank = Case(
        When(name__iexact=query, then=Value(0)),
        When(name__istartswith=query, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return qs.annotate(match_rank=rank).order_by(
        "match_rank", F("population").desc(nulls_last=True), Lower("name"), "pk"
    )


def territories_list(
    *, filters: TerritoryFilters, page: Any = 1, per_page: int | None = None
) -> Page:
    """One page of territories (a bad page number gives the first or last page)."""
    paginator = Paginator(territories_filter(filters=filters), per_page or settings.PAGE_SIZE)
    return paginator.get_page(page)


def territory_get(*, slug: str) -> Territory:
    """The territory with its hierarchy loaded; Http404 when unknown."""
    territory = (
        Territory.objects.select_related(
            "parent__parent__parent", "grouping__parent", "network_membership"
        )
        .filter(slug=slug)
        .first()
    )
    if territory is None:
        raise Http404(_("Territoire introuvable."))
    return territory


def territory_ancestors(territory: Territory) -> list[Territory]:
    """From the country down to the direct parent, with the grouping (EPCI / MRC) last.

    Uses the relations loaded by `territory_get` (no extra query there).
    """
    chain: list[Territory] = []
    node = territory.parent
    while node is not None and len(chain) < 5:
        chain.append(node)
        node = node.parent
    chain.reverse()
    if territory.grouping is not None:
        chain.append(territory.grouping)
    return chain


def territory_children(*, territory: Territory, page: Any = 1, per_page: int | None = None) -> Page:
    """Direct subdivisions and members: régions of a country, communes of a département or of
    an EPCI / MRC, MRC and municipalités of a Québec region."""
    qs = (
        Territory.objects.filter(Q(parent=territory) | Q(grouping=territory))
        .select_related("network_membership")
        .order_by("kind", Lower("name"), "pk")
    )
    return Paginator(qs, per_page or settings.PAGE_SIZE).get_page(page)


def territory_organisations(
    *, user: Any, territory: Territory, page: Any = 1, per_page: int | None = None
) -> Page:
    """Organisations located in the territory or in its communes, as `user` may see them."""
    from mediane.directory.models import Organisation

    if territory.kind == Kind.COUNTRY:
        located = Q(country=territory.country)
    elif territory.kind == Kind.MUNICIPALITY:
        located = Q(territory=territory)
    else:
        located = (
            Q(territory=territory)
            | Q(territory__parent=territory)
            | Q(territory__grouping=territory)
            | Q(territory__parent__parent=territory)
        )
    qs = (
        Organisation.objects.filter(located)
        .filter(visible_q(user))
        .select_related("territory")
        .order_by("name", "pk")
    )
    return Paginator(qs, per_page or settings.PAGE_SIZE).get_page(page)


def twinnings_of(territory: Territory) -> list[Twinning]:
    """The twinnings of a territory; each carries `other_territory`, the twin."""
    twinnings = list(
        Twinning.objects.filter(Q(first=territory) | Q(second=territory))
        .select_related("first", "second")
        .order_by("since", "pk")
    )
    for twinning in twinnings:
        twinning.other_territory = twinning.other(territory)  # type: ignore[attr-defined]
    return twinnings


def twinning_get(*, territory: Territory, pk: Any) -> Twinning:
    """A twinning of this territory; Http404 otherwise."""
    twinning_id = _int_or_none(pk)
    twinning = (
        Twinning.objects.filter(Q(first=territory) | Q(second=territory), pk=twinning_id)
        .select_related("first", "second")
        .first()
        if twinning_id is not None
        else None
    )
    if twinning is None:
        raise Http404(_("Jumelage introuvable."))
    twinning.other_territory = twinning.other(territory)  # type: ignore[attr-defined]
    return twinning


def territory_resolve(reference: str) -> Territory | None:
    """A territory from a slug or an official municipality code (None when unknown or ambiguous)."""
    reference = (reference or "").strip()
    if not reference:
        return None
    territory = Territory.objects.filter(slug=reference.lower()).first()
    if territory is not None:
        return territory
    matches = list(Territory.objects.filter(kind=Kind.MUNICIPALITY, code=reference)[:2])
    return matches[0] if len(matches) == 1 else None


def network_members() -> QuerySet[Territory]:
    """Active network members (home page, map): each territory carries `member_since` and
    `membership_status` besides its own latitude, longitude and population."""
    return (
        Territory.objects.network_members()
        .select_related("network_membership", "parent")
        .annotate(
            member_since=F("network_membership__member_since"),
            membership_status=F("network_membership__status"),
        )
        .order_by(F("network_membership__member_since").asc(nulls_last=True), "name")
    )


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
