"""Reads of the directory, visibility-checked: the HTML pages, the htmx fragment, the API and the
CSV export all call these functions, so they see the same rows.

Speed (200,000 organisations on SQLite): facet counts come from a few GROUP BY queries on the
filtered queryset (country × kind, territory, sector); the exact total is the sum of the
country × kind groups, so no separate COUNT runs. Territory-derived facets (area, medium city,
network member) are computed in Python from the per-territory counts and a per-process map of
territories. Facet counts and totals are cached for five minutes under a key that changes
whenever an organisation is added, changed or removed (see `_fingerprint`); territory changes
(network membership, population) show within that delay.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from mediane.core.errors import NotFound
from mediane.core.permissions import is_authenticated, is_secretariat, user_roles, visible_q
from mediane.directory.models import Expert, ExpertKind, Organisation, OrganisationKind, Sector
from mediane.directory.sanitize import clean_text
from mediane.territories.models import ACTIVE_STATUSES, Country, Kind, Territory

FACET_CACHE_SECONDS = 300
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
    """One page of results with the facet counts of the whole selection."""

    results: list[Organisation]
    total: int
    facets: dict[str, Facet]
    page: int
    page_size: int
    query: str
    filters: DirectoryFilters
    warnings: list[str] = field(default_factory=list)

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


@dataclass(frozen=True)
class _TerritoryInfo:
    area_id: int
    medium: bool
    network: bool


_territory_lock = threading.Lock()
_territory_map: dict[int, _TerritoryInfo] = {}
_territory_map_at = 0.0
_territory_map_version = [""]


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
        _territory_map_version[0] = version
    return {pk: loaded[pk] for pk in ids if pk in loaded}


def forget_territory_map() -> None:
    """Drop the cached territory map (tests, after a network membership change)."""
    global _territory_map_at
    with _territory_lock:
        _territory_map.clear()
        _territory_map_at = 0.0


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


def _active(resolved: _Resolved, name: str) -> bool:
    f = resolved.filters
    return bool(
        {
            "country": f.countries,
            "kind": f.kinds,
            "sector": resolved.sector_ids,
            "territory": resolved.areas,
            "medium_city": f.medium_city,
            "network_member": f.network_member,
        }[name]
    )


def _group(qs: QuerySet, *fields: str) -> list[tuple]:
    return list(qs.order_by().values_list(*fields).annotate(n=Count("pk")))


def _counts(
    base: QuerySet, resolved: _Resolved, territory_version: str = "", hidden: QuerySet | None = None
) -> dict[str, Any]:
    """Raw facet counts (JSON-friendly, cached): total, country, kind, sector, territory…"""
    full = _apply(base, resolved)
    pairs = _group(full, "country", "kind")
    total = sum(n for _c, _k, n in pairs)
    country: Counter = Counter()
    kind: Counter = Counter()
    for c, k, n in pairs:
        country[c] += n
        kind[k] += n
    if _active(resolved, "country"):
        country = Counter(dict(_group(_apply(base, resolved, skip="country"), "country")))
    if _active(resolved, "kind"):
        kind = Counter(dict(_group(_apply(base, resolved, skip="kind"), "kind")))
    others = ("country", "kind", "territory", "medium_city", "network_member")
    sector: dict[int, int]
    if hidden is not None and not any(_active(resolved, name) for name in others):
        # Only visibility restricts the selection: count every organisation's sectors from the
        # link table alone (no lookups), then subtract those of the few organisations hidden
        # from this user. Joining 200,000 organisations to their sectors costs ten times more.
        through = Organisation.sectors.through
        linked: Counter[int] = Counter(
            dict(through.objects.order_by().values_list("sector_id").annotate(n=Count("pk")))
        )
        linked.subtract(dict(_group(hidden, "sectors")))
        sector = {k: v for k, v in linked.items() if k is not None and v > 0}
    else:
        # A join from the organisations (not a subquery): the full-text filter names their table.
        sector = {
            sector_id: n
            for sector_id, n in _group(_apply(base, resolved, skip="sector"), "sectors")
            if sector_id is not None
        }
    by_territory = {"": dict(_group(full, "territory_id"))}
    for name in ("territory", "medium_city", "network_member"):
        if _active(resolved, name):
            by_territory[name] = dict(_group(_apply(base, resolved, skip=name), "territory_id"))
    derived: dict[str, Counter] = {
        "territory": Counter(),
        "medium_city": Counter(),
        "network_member": Counter(),
    }
    ids = {pk for counts in by_territory.values() for pk in counts if pk is not None}
    infos = _territory_infos(ids, territory_version)
    for name in derived:
        for pk, n in by_territory.get(name, by_territory[""]).items():
            info = infos.get(pk) if pk is not None else None
            if info is None:
                continue
            if name == "territory":
                derived[name][info.area_id] += n
            elif name == "medium_city" and info.medium or name == "network_member" and info.network:
                derived[name][1] += n
    return {
        "total": total,
        "country": dict(country),
        "kind": dict(kind),
        "sector": {str(k): v for k, v in sector.items()},
        "territory": {str(k): v for k, v in derived["territory"].most_common()},
        "medium_city": derived["medium_city"][1],
        "network_member": derived["network_member"][1],
    }


def _fingerprint() -> tuple[str, str]:
    """(organisations, territories) versions: they change whenever a row is added, changed or
    removed (network memberships included). One query of scalar subqueries, each on an index."""
    from mediane.territories.models import NetworkMembership

    q = connection.ops.quote_name
    org = q(Organisation._meta.db_table)
    ter = q(Territory._meta.db_table)
    net = q(NetworkMembership._meta.db_table)
    sql = (
        f"SELECT (SELECT MAX(id) FROM {org}), (SELECT MAX(updated_at) FROM {org}), "  # noqa: S608
        f"(SELECT COUNT(*) FROM {org}), (SELECT MAX(id) FROM {ter}), (SELECT COUNT(*) FROM {ter}), "
        f"(SELECT MAX(updated_at) FROM {net}), (SELECT COUNT(*) FROM {net})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = [str(value) for value in cursor.fetchone()]
    return ":".join(row[:3]), ":".join(row[3:])


def _scope(user: Any) -> str:
    if is_secretariat(user):
        return "all"
    roles = sorted(user_roles(user))
    return ("network:" + ",".join(map(str, roles))) if roles else "public"


def _cached_counts(user: Any, query: str, base: QuerySet, resolved: _Resolved) -> dict[str, Any]:
    f = resolved.filters
    organisations_version, territories_version = _fingerprint()
    key_data = [
        connection.alias,
        _scope(user),
        query,
        f.countries,
        f.kinds,
        f.sectors,
        f.territories,
        f.medium_city,
        f.network_member,
        settings.MEDIUM_CITY_MIN,
        settings.MEDIUM_CITY_MAX,
        cache.get("directory:generation", 0),
        organisations_version,
        territories_version,
    ]
    key = (
        "directory:facets:" + hashlib.sha256(json.dumps(key_data, default=str).encode()).hexdigest()
    )
    counts = cache.get(key)
    if counts is None:
        hidden = None
        if not query:  # organisations this user may not see (none for the secretariat)
            visible = visible_q(user)
            hidden = (
                Organisation.objects.filter(~visible) if visible else Organisation.objects.none()
            )
        counts = _counts(base, resolved, territories_version, hidden)
        cache.set(key, counts, FACET_CACHE_SECONDS)
    return counts


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


def organisations_search(
    *, user: Any, query: str = "", filters: DirectoryFilters | None = None
) -> DirectoryPage:
    """A page of the organisations `user` may see, matching `query` and `filters`, with facets."""
    query = clean_text(query)[:200]
    resolved = _resolve(filters or DirectoryFilters(), sectors_list())
    f = resolved.filters
    base = _visible_organisations(user, query)
    counts = _cached_counts(user, query, base, resolved)
    total = counts["total"]
    num_pages = max(1, -(-total // f.page_size))
    page = f.page
    if page > num_pages:
        resolved.warnings.append(_("Cette page n'existe pas : voici la dernière page."))
        page = num_pages
    offset = (page - 1) * f.page_size
    qs = _ordered(_apply(base, resolved), query).select_related("territory")
    results = list(qs.prefetch_related("sectors")[offset : offset + f.page_size]) if total else []
    return DirectoryPage(
        results=results,
        total=total,
        facets=_facets(counts, resolved),
        page=page,
        page_size=f.page_size,
        query=query,
        filters=replace(f, page=page),
        warnings=resolved.warnings,
    )


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
