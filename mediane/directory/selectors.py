"""Reads of the directory, visibility-checked: the HTML pages, the htmx fragment, the API and the
CSV export all call these functions, so they see the same rows.

Speed (200,000 organisations on SQLite): the search page reads the matching entry ids and ranks
from the full-text index alone, then filters, counts every facet and orders the page in Python
from an in-process facet index of the organisations (`facet_index`), rebuilt whenever the
organisations, their search entries or the territories change; only the page's organisations
are read from their table. Facet counts are also cached for five minutes under the index's
version. Territory-derived facets (area, medium city, network member) come from a per-process
map of territories; changes of population show within that delay.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from mediane.core.errors import NotFound
from mediane.core.permissions import (
    is_authenticated,
    is_network_member,
    is_secretariat,
    user_roles,
    visible_q,
)
from mediane.directory import facet_index
from mediane.directory.models import Expert, ExpertKind, Organisation, OrganisationKind, Sector
from mediane.directory.sanitize import clean_text
from mediane.territories.models import ACTIVE_STATUSES, Country, Kind, Territory

TERRITORY_MAP_SECONDS = 300
TERRITORY_FACET_LIMIT = 30
MAX_FILTER_VALUES = 50
_TRUE = {"1", "true", "on", "oui", "yes"}


class OrganisationNotFound(NotFound, Http404):
    """No such organisation, or not visible to this user (same answer, nothing leaks)."""

    code = "not_found"


class ExpertNotFound(NotFound, Http404):
    code = "not_found"


# --- Filters and pages ------------------------------------------------------------------------


def _values(params: Mapping[str, Any], name: str) -> tuple[str, ...]:
    if hasattr(params, "getlist"):
        raw = params.getlist(name)
    else:
        raw = params.get(name) or []
        raw = [raw] if isinstance(raw, str) else list(raw)
    items: list[str] = []
    for value in raw:
        text = clean_text(value)  # drops NUL and control characters
        items += [part.strip()[:100] for part in text.split(",") if part.strip()]
    return tuple(dict.fromkeys(items))[:MAX_FILTER_VALUES]


def _flag(params: Mapping[str, Any], name: str) -> bool:
    value = params.get(name)
    return str(value).strip().lower() in _TRUE if value is not None else False


def _page_number(value: Any) -> int:
    try:
        return max(1, min(int(str(value)), 100_000))
    except (TypeError, ValueError):
        return 1


@dataclass(frozen=True)
class DirectoryFilters:
    """Facet filters of the directory; values that do not exist are ignored with a message."""

    countries: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()  # sector slugs
    territories: tuple[str, ...] = ()  # territory slugs (département, région, EPCI, MRC…)
    medium_city: bool = False
    network_member: bool = False
    page: int = 1
    page_size: int = 0  # 0: settings.PAGE_SIZE

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> DirectoryFilters:
        """From a QueryDict (or a dict of lists/strings): country, kind, sector, territory…"""
        return cls(
            countries=tuple(v.upper() for v in _values(params, "country")),
            kinds=_values(params, "kind"),
            sectors=_values(params, "sector"),
            territories=_values(params, "territory"),
            medium_city=_flag(params, "medium_city"),
            network_member=_flag(params, "network_member"),
            page=_page_number(params.get("page", 1)),
        )

    def as_params(self) -> list[tuple[str, str]]:
        """Query-string pairs (without the page) for links and exports."""
        pairs = [("country", v) for v in self.countries] + [("kind", v) for v in self.kinds]
        pairs += [("sector", v) for v in self.sectors] + [
            ("territory", v) for v in self.territories
        ]
        if self.medium_city:
            pairs.append(("medium_city", "1"))
        if self.network_member:
            pairs.append(("network_member", "1"))
        return pairs

    @property
    def is_empty(self) -> bool:
        return not self.as_params()


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption] = field(default_factory=list)
    multiple: bool = True


@dataclass
class DirectoryPage:
    """One page of results with the facet counts of the whole selection.

    Facets and organisations are read on first use: a page whose facet sidebar (under
    `sidebar_key`) and cards are already rendered in `fragments` (held by the facet index of
    the current database version) reads neither.
    """

    result_ids: list[int]
    ranks: dict[int, float]
    total: int
    facets_source: Callable[[], dict[str, Facet]]
    page: int
    page_size: int
    query: str
    filters: DirectoryFilters
    warnings: list[str] = field(default_factory=list)
    sidebar_key: tuple = ()
    fragments: facet_index.BoundedCache | None = None

    @cached_property
    def facets(self) -> dict[str, Facet]:
        return self.facets_source()

    @cached_property
    def results(self) -> list[Organisation]:
        """The organisations of this page, in order (read on first use)."""
        return self.fetch(self.result_ids)

    def fetch(self, ids: list[int]) -> list[Organisation]:
        """Organisations `ids` of this page with their territory and sectors, in that order."""
        if not ids:
            return []
        rows = Organisation.objects.filter(pk__in=ids).select_related("territory")
        by_pk = {o.pk: o for o in rows.prefetch_related("sectors")}
        found = [by_pk[pk] for pk in ids if pk in by_pk]
        for organisation in found:
            organisation.search_rank = self.ranks.get(organisation.pk, 0.0)  # type: ignore[attr-defined]
        return found

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def start_index(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.page_size + 1

    @property
    def end_index(self) -> int:
        return min(self.total, self.page * self.page_size)

    def page_range(self) -> list[int | None]:
        """Page numbers around the current one, None standing for an ellipsis."""
        pages = sorted({1, self.num_pages, *range(self.page - 2, self.page + 3)})
        shown: list[int | None] = []
        for number in pages:
            if 1 <= number <= self.num_pages:
                if shown and number - (shown[-1] or 0) > 1:
                    shown.append(None)
                shown.append(number)
        return shown


# --- Territory map (per process) ----------------------------------------------------------------


class _TerritoryInfo(NamedTuple):
    """A tuple of plain values: the garbage collector stops following it, which matters for
    40,000 of them kept in every web process (see `core.memory`)."""

    area_id: int
    medium: bool
    network: bool


_territory_lock = threading.Lock()
_territory_map: dict[int, _TerritoryInfo] = {}
# When the map was read (time.monotonic()); minus infinity: never. Not 0.0: the monotonic clock
# counts from boot, so "0.0" would look fresh during the first minutes of a machine's life.
_territory_map_at = float("-inf")
_territory_map_version = [""]
# A digest of the map's content: the facet index is rebuilt when the content changes, not each
# time the map is read again (every TERRITORY_MAP_SECONDS).
_territory_map_digest = [0]


def _area_of(
    kind: str, country: str, pk: int, parent_id: int | None, grouping_id: int | None
) -> int:
    """The territory shown in the "territory" facet: département (FR), MRC (QC), else itself."""
    if kind == Kind.MUNICIPALITY:
        if country == Country.QUEBEC and grouping_id:
            return grouping_id
        return parent_id or grouping_id or pk
    return pk


def _territory_infos(ids: set[int], version: str = "") -> dict[int, _TerritoryInfo]:
    """Area, medium-city and network flags of the territories `ids`, cached per process.

    The whole table (about 40,000 rows) is read in one query and kept for a few minutes: much
    cheaper than looking up thousands of ids, and shared by every facet computation.
    """
    global _territory_map_at
    with _territory_lock:
        fresh = time.monotonic() - _territory_map_at <= TERRITORY_MAP_SECONDS
        if (
            fresh
            and _territory_map_version[0] == version
            and all(pk in _territory_map for pk in ids)
        ):
            return {pk: _territory_map[pk] for pk in ids}
    low, high = settings.MEDIUM_CITY_MIN, settings.MEDIUM_CITY_MAX
    rows = Territory.objects.values_list(
        "pk",
        "kind",
        "country",
        "parent_id",
        "grouping_id",
        "population",
        "network_membership__status",
    )
    loaded = {
        pk: _TerritoryInfo(
            area_id=_area_of(kind, country, pk, parent_id, grouping_id),
            medium=kind == Kind.MUNICIPALITY
            and population is not None
            and low <= population <= high,
            network=status in ACTIVE_STATUSES,
        )
        for pk, kind, country, parent_id, grouping_id, population, status in rows.iterator(5000)
    }
    with _territory_lock:
        _territory_map.clear()
        _territory_map.update(loaded)
        _territory_map_at = time.monotonic()
        _territory_map_digest[0] = hash(tuple(sorted(loaded.items())))
        _territory_map_version[0] = version
    return {pk: loaded[pk] for pk in ids if pk in loaded}


def forget_territory_map() -> None:
    """Drop the cached territory map (tests, after a network membership change)."""
    global _territory_map_at
    with _territory_lock:
        _territory_map.clear()
        _territory_map_at = float("-inf")


def _medium_city_territories() -> QuerySet:
    return Territory.objects.filter(
        kind=Kind.MUNICIPALITY,
        population__gte=settings.MEDIUM_CITY_MIN,
        population__lte=settings.MEDIUM_CITY_MAX,
    ).values("pk")


def _network_territories() -> QuerySet:
    return Territory.objects.filter(network_membership__status__in=ACTIVE_STATUSES).values("pk")


# --- Organisations ---------------------------------------------------------------------------


def sectors_list() -> list[Sector]:
    """The sector taxonomy, in its managed order."""
    return list(Sector.objects.all())


@dataclass
class _Resolved:
    """Filters checked against the database: ids to filter on, and messages for the rest."""

    filters: DirectoryFilters
    sectors: list[Sector]
    sector_ids: list[int]
    areas: list[Territory]
    warnings: list[str]


def _resolve(filters: DirectoryFilters, sectors: list[Sector]) -> _Resolved:
    warnings: list[str] = []
    countries = tuple(c for c in filters.countries if c in Country.values)
    kinds = tuple(k for k in filters.kinds if k in OrganisationKind.values)
    by_slug = {s.slug: s for s in sectors}
    sector_slugs = tuple(s for s in filters.sectors if s in by_slug)
    areas = (
        list(Territory.objects.filter(slug__in=filters.territories)) if filters.territories else []
    )
    area_slugs = tuple(t.slug for t in areas)
    for name, given, kept in (
        (_("pays"), filters.countries, countries),
        (_("type"), filters.kinds, kinds),
        (_("secteur"), filters.sectors, sector_slugs),
        (_("territoire"), filters.territories, area_slugs),
    ):
        for value in given:
            if value not in kept:
                warnings.append(
                    _("Filtre ignoré : %(name)s « %(value)s » inconnu.")
                    % {"name": name, "value": value}
                )
    clean = replace(
        filters,
        countries=countries,
        kinds=kinds,
        sectors=sector_slugs,
        territories=area_slugs,
        page_size=filters.page_size or settings.PAGE_SIZE,
    )
    return _Resolved(clean, sectors, [by_slug[s].pk for s in sector_slugs], areas, warnings)


def _visible_organisations(user: Any, query: str) -> QuerySet:
    qs = Organisation.objects.filter(visible_q(user))
    if query:
        from mediane.search.selectors import search_filter_queryset

        qs = search_filter_queryset(qs, query=query, kind="organisation")
    return qs


def _apply(qs: QuerySet, resolved: _Resolved, *, skip: str = "") -> QuerySet:
    """`qs` filtered by every active facet but `skip` (facet counts ignore their own filter)."""
    f = resolved.filters
    if f.countries and skip != "country":
        qs = qs.filter(country__in=f.countries)
    if f.kinds and skip != "kind":
        qs = qs.filter(kind__in=f.kinds)
    if resolved.sector_ids and skip != "sector":
        through = Organisation.sectors.through
        qs = qs.filter(
            pk__in=through.objects.filter(sector_id__in=resolved.sector_ids).values(
                "organisation_id"
            )
        )
    if resolved.areas and skip != "territory":
        ids = [t.pk for t in resolved.areas]
        in_areas = Territory.objects.filter(
            Q(pk__in=ids) | Q(parent_id__in=ids) | Q(grouping_id__in=ids)
        ).values("pk")
        qs = qs.filter(territory_id__in=in_areas)
    if f.medium_city and skip != "medium_city":
        qs = qs.filter(territory_id__in=_medium_city_territories())
    if f.network_member and skip != "network_member":
        qs = qs.filter(territory_id__in=_network_territories())
    return qs


def _group(qs: QuerySet, *fields: str) -> list[tuple]:
    return list(qs.order_by().values_list(*fields).annotate(n=Count("pk")))


def _scope(user: Any) -> str:
    if is_secretariat(user):
        return "all"
    roles = sorted(user_roles(user))
    return ("network:" + ",".join(map(str, roles))) if roles else "public"


def _facets(counts: dict[str, Any], resolved: _Resolved) -> dict[str, Facet]:
    f = resolved.filters
    country = Facet(
        "country",
        _("Pays"),
        [
            FacetOption(value, str(label), counts["country"].get(value, 0), value in f.countries)
            for value, label in Country.choices
        ],
    )
    kind = Facet(
        "kind",
        _("Type d'organisation"),
        [
            FacetOption(value, str(label), counts["kind"].get(value, 0), value in f.kinds)
            for value, label in OrganisationKind.choices
        ],
    )
    sector = Facet(
        "sector",
        _("Secteur"),
        [
            FacetOption(
                s.slug,
                s.label(_language()),
                counts["sector"].get(str(s.pk), 0),
                s.slug in f.sectors,
            )
            for s in resolved.sectors
        ],
    )
    top = [int(pk) for pk in list(counts["territory"])[:TERRITORY_FACET_LIMIT]]
    selected = {t.pk for t in resolved.areas}
    wanted = list(dict.fromkeys([*[t.pk for t in resolved.areas], *top]))
    areas = {t.pk: t for t in Territory.objects.filter(pk__in=wanted)} if wanted else {}
    territory = Facet(
        "territory",
        _("Territoire"),
        [
            FacetOption(
                areas[pk].slug,
                f"{areas[pk].name} ({areas[pk].kind_label})",
                counts["territory"].get(str(pk), 0),
                pk in selected,
            )
            for pk in wanted
            if pk in areas
        ],
    )
    medium = Facet(
        "medium_city",
        _("Ville médiane"),
        [FacetOption("1", _("Dans une ville médiane"), counts["medium_city"], f.medium_city)],
        multiple=False,
    )
    network = Facet(
        "network_member",
        _("Réseau"),
        [
            FacetOption(
                "1", _("Territoire membre du réseau"), counts["network_member"], f.network_member
            )
        ],
        multiple=False,
    )
    return {facet.name: facet for facet in (country, kind, sector, territory, medium, network)}


def _language() -> str:
    from django.utils.translation import get_language

    return get_language() or "fr"


def _ordered(qs: QuerySet, query: str) -> QuerySet:
    return qs.order_by("-search_rank", "name", "pk") if query else qs.order_by("name", "pk")


def _who(user: Any) -> facet_index.Visibility:
    """The rule of `visible_q` for organisations, for the in-process index."""
    if is_secretariat(user):
        return facet_index.Visibility(everything=True)
    if not is_network_member(user):
        return facet_index.Visibility()
    return facet_index.Visibility(network=True, owner_ids=frozenset(user_roles(user)))


def _selection(resolved: _Resolved) -> facet_index.Selection:
    f = resolved.filters
    territory_ids = None
    if resolved.areas:
        ids = [t.pk for t in resolved.areas]
        territory_ids = frozenset(
            Territory.objects.filter(
                Q(pk__in=ids) | Q(parent_id__in=ids) | Q(grouping_id__in=ids)
            ).values_list("pk", flat=True)
        )
    return facet_index.Selection(
        countries=frozenset(f.countries),
        kinds=frozenset(f.kinds),
        sector_ids=frozenset(resolved.sector_ids),
        territory_ids=territory_ids,
        medium_city=f.medium_city,
        network_member=f.network_member,
    )


def _index() -> facet_index.DirectoryIndex:
    organisations_version, territories_version = facet_index.fingerprint()
    _territory_infos(set(), territories_version)  # (re)loads the territory map when stale
    version = (organisations_version, territories_version, _territory_map_digest[0])
    return facet_index.directory_index(version, _territory_map.get)


def organisations_search(
    *, user: Any, query: str = "", filters: DirectoryFilters | None = None
) -> DirectoryPage:
    """A page of the organisations `user` may see, matching `query` and `filters`, with facets.

    Matches come from the full-text index alone; visibility, facet counts and the order
    (`-search_rank, name, pk`, or `name, pk` without a query) come from the in-process facet
    index (`facet_index`), in one pass; only the page's organisations are read from the table.
    """
    from mediane.search.selectors import search_match_ranks

    query = clean_text(query)[:200]
    index = _index()
    resolved = _resolve(filters or DirectoryFilters(), index.sector_list(sectors_list))
    f = resolved.filters
    who = _who(user)
    selection = _selection(resolved)
    if query:
        matched, ranks = index.visible(
            *index.cached_matches(
                query, lambda: search_match_ranks(query=query, kind="organisation")
            ),
            who,
        )
    else:
        matched, ranks = index.everyone(who), None
    kept, kept_ranks = index.select_ranked(matched, ranks, selection)
    total = len(kept)
    num_pages = max(1, -(-total // f.page_size))
    page = f.page
    if page > num_pages:
        resolved.warnings.append(_("Cette page n'existe pas : voici la dernière page."))
        page = num_pages
    offset = (page - 1) * f.page_size
    rank = dict(index.page(kept, kept_ranks, offset, offset + f.page_size))
    sidebar_key = (
        who,
        query,
        f.countries,
        f.kinds,
        f.sectors,
        f.territories,
        f.medium_city,
        f.network_member,
        _language(),
        facet_index.sector_writes(),
    )
    return DirectoryPage(
        result_ids=list(rank),
        ranks=rank,
        total=total,
        facets_source=lambda: _facets(index.counts(matched, selection), resolved),
        page=page,
        page_size=f.page_size,
        query=query,
        filters=replace(f, page=page),
        warnings=resolved.warnings,
        sidebar_key=sidebar_key,
        fragments=index.fragments,
    )


def organisation_matches(*, user: Any, query: str, limit: int) -> list[int]:
    """Ids of the organisations `user` may see that match `query`, best ranked first (rank,
    then name order), at most `limit`: read from the facet index and its per-query match cache,
    with no SQL beyond the index's own (for the market's recommendation candidates)."""
    from mediane.search.selectors import search_match_ranks

    query = clean_text(query)[:200]
    if not query:
        return []
    index = _index()
    ids, ranks = index.visible(
        *index.cached_matches(query, lambda: search_match_ranks(query=query, kind="organisation")),
        _who(user),
    )
    return [pk for pk, _rank in index.page(ids, ranks, 0, limit)]


def organisations_visible_among(*, user: Any, ids: Any, limit: int | None = None) -> list[int]:
    """The first `limit` (all by default) of the organisation ids `ids` (a sequence or a numpy
    array) that `user` may see, in the given order: the rule of `visible_q`, read from the
    facet index (no SQL beyond the index's own)."""
    index = _index()
    array = np.asarray(ids, dtype=np.int64)
    array = array[(array >= 0) & (array < len(index.position))]
    array = array[index.position[array] >= 0]
    seen, _ranks = index.visible(array, np.zeros(len(array)), _who(user))
    return [int(pk) for pk in seen[:limit]]


def organisations_export(
    *, user: Any, query: str = "", filters: DirectoryFilters | None = None
) -> Iterator[Organisation]:
    """Every organisation of the current selection (no pagination), for the CSV export."""
    query = clean_text(query)[:200]
    resolved = _resolve(filters or DirectoryFilters(), sectors_list())
    qs = _ordered(_apply(_visible_organisations(user, query), resolved), query)
    qs = qs.select_related("territory").prefetch_related("sectors")
    yield from qs.iterator(chunk_size=1000)


def organisation_get_for(*, user: Any, slug: str) -> Organisation:
    """The organisation `slug` if `user` may see it; OrganisationNotFound (a 404) otherwise."""
    organisation = (
        Organisation.objects.filter(visible_q(user), slug=slug)
        .select_related("territory", "territory__parent")
        .prefetch_related("sectors")
        .first()
    )
    if organisation is None:
        raise OrganisationNotFound(_("Organisation introuvable."))
    return organisation


def organisation_experts(*, user: Any, organisation: Organisation) -> list[Expert]:
    """The experts of an organisation that `user` may see."""
    return list(_visible_experts(user).filter(organisation=organisation).prefetch_related("skills"))


# --- Experts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpertFilters:
    kinds: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()  # skill slugs
    sectors: tuple[str, ...] = ()  # sector slugs
    languages: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()  # slugs of territories served
    page: int = 1
    page_size: int = 0

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ExpertFilters:
        return cls(
            kinds=_values(params, "kind"),
            skills=_values(params, "skill"),
            sectors=_values(params, "sector"),
            languages=tuple(v.lower() for v in _values(params, "language")),
            territories=_values(params, "territory"),
            page=_page_number(params.get("page", 1)),
        )

    def as_params(self) -> list[tuple[str, str]]:
        return (
            [("kind", v) for v in self.kinds]
            + [("skill", v) for v in self.skills]
            + [("sector", v) for v in self.sectors]
            + [("language", v) for v in self.languages]
            + [("territory", v) for v in self.territories]
        )


@dataclass
class ExpertPage:
    results: list[Expert]
    total: int
    facets: dict[str, Facet]
    page: int
    page_size: int
    query: str
    filters: ExpertFilters
    warnings: list[str] = field(default_factory=list)

    num_pages = DirectoryPage.num_pages
    has_previous = DirectoryPage.has_previous
    has_next = DirectoryPage.has_next
    start_index = DirectoryPage.start_index
    end_index = DirectoryPage.end_index
    page_range = DirectoryPage.page_range


def _visible_experts(user: Any) -> QuerySet:
    if is_secretariat(user):  # visible_q gives Q(), which `|` would narrow to their own
        return Expert.objects.all()
    q = visible_q(user, owner_field="organisation_id")
    if is_authenticated(user):
        q |= Q(user_id=user.pk)
    return Expert.objects.filter(q)


def experts_search(
    *, user: Any, query: str = "", filters: ExpertFilters | None = None
) -> ExpertPage:
    """A page of the experts `user` may see, with skill, sector and language facets."""
    f = filters or ExpertFilters()
    page_size = f.page_size or settings.PAGE_SIZE
    query = clean_text(query)[:200]
    warnings: list[str] = []
    qs = _visible_experts(user)
    if query:
        from mediane.search.selectors import search_filter_queryset

        qs = search_filter_queryset(qs, query=query, kind="expert")
    kinds = tuple(k for k in f.kinds if k in ExpertKind.values)
    if f.skills:
        qs = qs.filter(
            pk__in=Expert.skills.through.objects.filter(skill__slug__in=f.skills).values(
                "expert_id"
            )
        )
    if f.sectors:
        qs = qs.filter(
            pk__in=Expert.sectors.through.objects.filter(sector__slug__in=f.sectors).values(
                "expert_id"
            )
        )
    for code in f.languages:
        qs = qs.filter(languages__icontains=code[:8])
    if f.territories:
        qs = qs.filter(
            pk__in=Expert.territories_served.through.objects.filter(
                territory__slug__in=f.territories
            ).values("expert_id")
        )
    for value in f.kinds:
        if value not in kinds:
            warnings.append(_("Filtre ignoré : type « %(value)s » inconnu.") % {"value": value})
    kind_counts = dict(_group(qs, "kind"))  # before the kind filter: the facet ignores it
    if kinds:
        qs = qs.filter(kind__in=kinds)
    total = qs.count()
    num_pages = max(1, -(-total // page_size))
    page = min(f.page, num_pages)
    ordered = qs.order_by("-search_rank", "name", "pk") if query else qs.order_by("name", "pk")
    results = list(
        ordered.select_related("organisation").prefetch_related("skills", "sectors")[
            (page - 1) * page_size : page * page_size
        ]
    )
    # Grouped from the experts (a join, not a subquery: the full-text filter names their table).
    skill_counts = [
        row
        for row in qs.order_by()
        .values_list("skills__slug", "skills__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "skills__name")[:31]
        if row[0] is not None
    ][:30]
    facets = {
        "kind": Facet(
            "kind",
            _("Type"),
            [
                FacetOption(v, str(label), kind_counts.get(v, 0), v in kinds)
                for v, label in ExpertKind.choices
            ],
        ),
        "skill": Facet(
            "skill",
            _("Compétence"),
            [FacetOption(slug, name, n, slug in f.skills) for slug, name, n in skill_counts],
        ),
    }
    return ExpertPage(
        results, total, facets, page, page_size, query, replace(f, page=page), warnings
    )


def expert_get_for(*, user: Any, slug: str) -> Expert:
    """The expert `slug` if `user` may see it; ExpertNotFound (a 404) otherwise."""
    expert = (
        _visible_experts(user)
        .filter(slug=slug)
        .select_related("organisation", "user")
        .prefetch_related("skills", "sectors", "territories_served")
        .first()
    )
    if expert is None:
        raise ExpertNotFound(_("Expert introuvable."))
    return expert
