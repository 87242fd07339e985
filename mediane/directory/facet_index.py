"""In-process facet index of the organisations, for the directory search page.

Counting facets with GROUP BY over a full-text match joins every matching organisation to its
search entry, its row and its sectors: 100-200 ms per facet for a word found in 15 % of
200,000 organisations. This index holds, per organisation, what the facets and the ordering
need (country, kind, area, medium-city and network flags, sectors, visibility, position in the
`name, pk` order of the database) and the map from search entries to organisations. A search
then reads the matching entry ids and ranks from the full-text index alone and counts every
facet in one pass in Python.

It is a cache of the database, rebuilt (about a second at 200,000 rows) whenever the
organisations, their search entries or the territories change: every request reads a
fingerprint of those tables first (`fingerprint()`), and a process never answers from an index
built for another fingerprint.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

from django.db import connection

from mediane.directory.models import Organisation
from mediane.search.models import SearchEntry


@dataclass(frozen=True)
class Selection:
    """Active facet filters, resolved to ids (territory: the set of territory ids it covers)."""

    countries: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    sector_ids: frozenset[int] = frozenset()
    territory_ids: frozenset[int] | None = None
    medium_city: bool = False
    network_member: bool = False


@dataclass(frozen=True)
class Visibility:
    """What a reader may see: everything, or public + (network) + organisations `owner_ids`."""

    everything: bool = False
    network: bool = False
    owner_ids: frozenset[int] = frozenset()


class DirectoryIndex:
    """Facet data of every organisation, in lists indexed by organisation id."""

    def __init__(self, version: tuple, rows: Iterable[tuple], sectors: Iterable[tuple],
                 entries: Iterable[tuple], territory_info) -> None:  # fmt: skip
        self.version = version
        sector_map: dict[int, list[int]] = {}
        for org_id, sector_id in sectors:
            sector_map.setdefault(org_id, []).append(sector_id)
        rows = list(rows)  # (pk, country, kind, territory_id, visibility) in name, pk order
        size = max((row[0] for row in rows), default=0) + 1
        self.country: list[str] = [""] * size
        self.kind: list[str] = [""] * size
        self.territory: list[int | None] = [None] * size
        self.area: list[int | None] = [None] * size
        self.medium: list[bool] = [False] * size
        self.network: list[bool] = [False] * size
        self.sectors: list[tuple[int, ...]] = [()] * size
        self.visibility: list[str] = [""] * size
        self.position: list[int] = [-1] * size  # -1: no such organisation
        self.by_name: list[int] = []
        shared: dict[tuple, tuple] = {}
        for position, (pk, country, kind, territory_id, visibility) in enumerate(rows):
            info = territory_info(territory_id) if territory_id is not None else None
            self.country[pk], self.kind[pk], self.territory[pk] = country, kind, territory_id
            if info is not None:
                self.area[pk], self.medium[pk], self.network[pk] = (
                    info.area_id,
                    info.medium,
                    info.network,
                )
            linked = tuple(sorted(sector_map.get(pk, ())))
            self.sectors[pk] = shared.setdefault(linked, linked)
            self.visibility[pk] = visibility
            self.position[pk] = position
            self.by_name.append(pk)
        vis = self.visibility
        self.public = [pk for pk in self.by_name if vis[pk] == "public"]
        self.members = [pk for pk in self.by_name if vis[pk] in ("public", "network")]
        self.entry_org: dict[int, int] = {
            entry_id: object_id
            for entry_id, object_id in entries
            if object_id < size and self.position[object_id] >= 0
        }

    # --- reads -----------------------------------------------------------------------------
    def _seen(self, who: Visibility):  # type: ignore[no-untyped-def]
        """A predicate on organisation ids (None: everything): may `who` see it?"""
        if who.everything:
            return None
        visibility, owners = self.visibility, who.owner_ids
        allowed = {"public", "network"} if who.network else {"public"}
        return lambda pk: visibility[pk] in allowed or pk in owners

    def matches(self, ranked: list[tuple[int, float]], who: Visibility) -> list[tuple[int, float]]:
        """(organisation id, rank) of the visible organisations among matching entries."""
        get = self.entry_org.get
        found = [(pk, rank) for entry_id, rank in ranked if (pk := get(entry_id)) is not None]
        seen = self._seen(who)
        return found if seen is None else [(pk, rank) for pk, rank in found if seen(pk)]

    def everyone(self, who: Visibility) -> list[int]:
        """Every organisation `who` may see, in name order."""
        if who.everything:
            return self.by_name
        base = self.members if who.network else self.public
        allowed = ("public", "network") if who.network else ("public",)
        extra = [
            pk
            for pk in who.owner_ids
            if 0 <= pk < len(self.position)
            and self.position[pk] >= 0
            and self.visibility[pk] not in allowed
        ]
        return sorted(base + extra, key=self.position.__getitem__) if extra else base

    def _predicates(self, s: Selection) -> dict:
        country, kind, sectors, territory = self.country, self.kind, self.sectors, self.territory
        medium, network = self.medium, self.network
        places = s.territory_ids or frozenset()
        tests = {
            "country": s.countries and (lambda pk: country[pk] in s.countries),
            "kind": s.kinds and (lambda pk: kind[pk] in s.kinds),
            "sector": s.sector_ids and (lambda pk: not s.sector_ids.isdisjoint(sectors[pk])),
            "territory": s.territory_ids is not None and (lambda pk: territory[pk] in places),
            "medium_city": s.medium_city and medium.__getitem__,
            "network_member": s.network_member and network.__getitem__,
        }
        return {name: test for name, test in tests.items() if test}

    def select(self, ids: list[int], selection: Selection, *, skip: str = "") -> list[int]:
        """`ids` passing every active filter but `skip`, in their order."""
        for name, test in self._predicates(selection).items():
            if name != skip:
                ids = list(filter(test, ids))
        return ids

    def count(self, ids: list[int], selection: Selection) -> dict:
        """Facet counts of `ids`, each facet ignoring its own filter (as a user expects)."""
        active = self._predicates(selection)
        full = self.select(ids, selection)
        scope = {name: self.select(ids, selection, skip=name) for name in active}
        area = self.area
        territory = Counter(map(area.__getitem__, scope.get("territory", full)))
        territory.pop(None, None)
        return {
            "total": len(full),
            "country": Counter(map(self.country.__getitem__, scope.get("country", full))),
            "kind": Counter(map(self.kind.__getitem__, scope.get("kind", full))),
            "sector": Counter(
                chain.from_iterable(map(self.sectors.__getitem__, scope.get("sector", full)))
            ),
            "territory": territory,
            "medium_city": sum(map(self.medium.__getitem__, scope.get("medium_city", full))),
            "network_member": sum(map(self.network.__getitem__, scope.get("network_member", full))),
        }


def fingerprint() -> tuple[str, str]:
    """(organisations, territories) versions. The first changes whenever an organisation or its
    search entry is added, changed or removed (sectors are set by the services that save the
    organisation); the second with territories and network memberships. One query of scalar
    subqueries, each on an index."""
    from mediane.territories.models import NetworkMembership, Territory

    q = connection.ops.quote_name
    org = q(Organisation._meta.db_table)
    ter = q(Territory._meta.db_table)
    net = q(NetworkMembership._meta.db_table)
    entry = q(SearchEntry._meta.db_table)
    sql = (
        f"SELECT (SELECT MAX(id) FROM {org}), (SELECT MAX(updated_at) FROM {org}), "  # noqa: S608
        f"(SELECT COUNT(*) FROM {org}), (SELECT MAX(id) FROM {entry}), "
        f"(SELECT MAX(id) FROM {ter}), (SELECT COUNT(*) FROM {ter}), "
        f"(SELECT MAX(updated_at) FROM {net}), (SELECT COUNT(*) FROM {net})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = [str(value) for value in cursor.fetchone()]
    return ":".join(row[:4]), ":".join(row[4:])


_lock = threading.Lock()
_indexes: dict[str, DirectoryIndex] = {}


def directory_index(version: tuple, territory_info) -> DirectoryIndex:
    """The index of the current database for `version` (a `fingerprint()`), built if needed.

    `territory_info(territory_id)` gives the area and flags of a territory (see selectors).
    """
    alias = connection.alias + ":" + str(connection.settings_dict.get("NAME"))
    index = _indexes.get(alias)
    if index is not None and index.version == version:
        return index
    with _lock:  # one thread builds; the others wait for it rather than build their own
        index = _indexes.get(alias)
        if index is not None and index.version == version:
            return index
        rows = Organisation.objects.order_by("name", "pk").values_list(
            "pk", "country", "kind", "territory_id", "visibility"
        )
        sectors = Organisation.sectors.through.objects.values_list("organisation_id", "sector_id")
        entries = SearchEntry.objects.filter(kind="organisation").values_list("pk", "object_id")
        index = DirectoryIndex(
            version,
            rows.iterator(5000),
            sectors.iterator(5000),
            entries.iterator(5000),
            territory_info,
        )
        _indexes[alias] = index
        return index


def forget_directory_index() -> None:
    """Drop the indexes of this process (tests)."""
    with _lock:
        _indexes.clear()
