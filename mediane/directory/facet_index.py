"""In-process facet index of the organisations, for the directory search page.

Counting facets with GROUP BY over a full-text match joins every matching organisation to its
search entry, its row and its sectors: 100-200 ms per facet for a word found in 15 % of
200,000 organisations. This index holds, per organisation, what the facets and the ordering
need (country, kind, area, medium-city and network flags, sectors, visibility, position in the
`name, pk` order of the database) and the map from search entries to organisations, as numpy
arrays indexed by organisation id. A search reads the matching entry ids and ranks from the
full-text index alone; filtering, every facet count and the page order are then vectorised
operations over the matches (a few milliseconds for 50,000 matches).

It is a cache of the database, rebuilt (about a second at 200,000 rows) whenever the
organisations, their search entries or the territories change: every request reads a
fingerprint of those tables first (`fingerprint()`), and a process never answers from an index
built for another fingerprint. The matches of recent queries are kept with the index
(`DirectoryIndex.cached_matches`), so a popular word is read from the full-text index once per
version, not once per request.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.db.models import signals

from mediane.core import memory
from mediane.core.fingerprints import Fingerprints, database_key
from mediane.directory.models import Organisation, Sector
from mediane.search.models import SearchEntry

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Matches kept per process and index version: at most this many ids in all (8 bytes + 8 bytes
# each: about 32 MB), least recently used first out.
MATCH_CACHE_IDS = 2_000_000
VISIBILITIES = ("public", "network", "private")
# Rendered fragments (facet sidebars, result cards) kept per process and index version: a
# sidebar is a few kilobytes, a card under one.
FRAGMENTS = 20_000
FRAGMENT_SECONDS = 300.0


class BoundedCache:
    """A thread-safe mapping keeping the `limit` most recently stored entries, each for at most
    `seconds` (fragments also show territory and sector names, which the index version does
    not follow: a rename shows within that delay)."""

    def __init__(self, limit: int, seconds: float = FRAGMENT_SECONDS) -> None:
        self.limit, self.seconds = limit, seconds
        self.lock = threading.Lock()
        self.entries: OrderedDict[Any, tuple[float, Any]] = OrderedDict()

    def get(self, key: Any, default: Any = None) -> Any:
        entry = self.entries.get(key)
        if entry is None or time.monotonic() - entry[0] > self.seconds:
            return default
        return entry[1]

    def __setitem__(self, key: Any, value: Any) -> None:
        with self.lock:
            self.entries[key] = (time.monotonic(), value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.limit:
                self.entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self.entries)


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


def _codes(values: list[str]) -> tuple[list[str], dict[str, int]]:
    labels = sorted(set(values))
    return labels, {label: code for code, label in enumerate(labels)}


class DirectoryIndex:
    """Facet data of every organisation, in numpy arrays indexed by organisation id."""

    def __init__(
        self,
        version: tuple,
        rows: Iterable[tuple],
        sectors: Iterable[tuple],
        entries: Iterable[tuple],
        territory_info: Callable[[int], Any],
    ) -> None:
        self.version = version
        rows = list(rows)  # (pk, country, kind, territory_id, visibility) in name, pk order
        size = max((row[0] for row in rows), default=0) + 1
        pks = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        self.countries, country_code = _codes([row[1] for row in rows])
        self.kinds, kind_code = _codes([row[2] for row in rows])
        self.country = np.full(size, -1, dtype=np.int16)
        self.kind = np.full(size, -1, dtype=np.int16)
        self.territory = np.full(size, -1, dtype=np.int64)
        self.area = np.full(size, -1, dtype=np.int64)
        self.medium = np.zeros(size, dtype=np.bool_)
        self.network = np.zeros(size, dtype=np.bool_)
        self.visibility = np.full(size, len(VISIBILITIES), dtype=np.int8)
        self.position = np.full(size, -1, dtype=np.int64)  # -1: no such organisation
        self.country[pks] = [country_code[row[1]] for row in rows]
        self.kind[pks] = [kind_code[row[2]] for row in rows]
        self.visibility[pks] = [
            VISIBILITIES.index(row[4]) if row[4] in VISIBILITIES else len(VISIBILITIES)
            for row in rows
        ]
        self.position[pks] = np.arange(len(rows), dtype=np.int64)
        infos: dict[int, tuple[int, bool, bool]] = {}
        for pk, _country, _kind, territory_id, _vis in rows:
            if territory_id is None:
                continue
            self.territory[pk] = territory_id
            if territory_id not in infos:
                info = territory_info(territory_id)
                infos[territory_id] = (
                    (info.area_id, info.medium, info.network) if info else (-1, False, False)
                )
            self.area[pk], self.medium[pk], self.network[pk] = infos[territory_id]
        links = list(sectors)
        self.sector_ids = sorted({sector_id for _org, sector_id in links})
        column = {sector_id: col for col, sector_id in enumerate(self.sector_ids)}
        # Sectors of each organisation as bits of 64-bit words (one word up to 64 sectors).
        words = max(1, -(-len(self.sector_ids) // 64))
        self.sectors = np.zeros((size, words), dtype=np.uint64)
        if links:
            orgs = np.fromiter((org for org, _s in links), dtype=np.int64, count=len(links))
            cols = np.fromiter((column[s] for _o, s in links), dtype=np.int64, count=len(links))
            inside = orgs < size
            orgs, cols = orgs[inside], cols[inside]
            bits = np.left_shift(np.uint64(1), (cols % 64).astype(np.uint64))
            np.bitwise_or.at(self.sectors, (orgs, cols // 64), bits)
        self.by_name = pks
        vis = self.visibility[pks]
        self.public = pks[vis == 0]
        self.members = pks[vis <= 1]
        entry_pairs = [(e, o) for e, o in entries if o < size]
        entry_size = max((e for e, _o in entry_pairs), default=0) + 1
        self.entry_org = np.full(entry_size, -1, dtype=np.int64)
        if entry_pairs:
            e_ids = np.fromiter((e for e, _o in entry_pairs), dtype=np.int64)
            o_ids = np.fromiter((o for _e, o in entry_pairs), dtype=np.int64)
            known = self.position[o_ids] >= 0
            self.entry_org[e_ids[known]] = o_ids[known]
        self._matches: OrderedDict[str, tuple[IntArray, FloatArray]] = OrderedDict()
        self._matches_size = 0
        self._matches_lock = threading.Lock()
        # Rendered sidebars and cards of this version (see directory/templatetags), bounded.
        self.fragments: BoundedCache = BoundedCache(FRAGMENTS)

    # --- matches ---------------------------------------------------------------------------
    def to_organisations(self, ranked: list[tuple[int, float]]) -> tuple[IntArray, FloatArray]:
        """(organisation ids, ranks) of the organisations among matching search entries."""
        if not ranked:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        entry_ids = np.fromiter((e for e, _r in ranked), dtype=np.int64, count=len(ranked))
        ranks = np.fromiter((r for _e, r in ranked), dtype=np.float64, count=len(ranked))
        inside = entry_ids < len(self.entry_org)
        entry_ids, ranks = entry_ids[inside], ranks[inside]
        ids = self.entry_org[entry_ids]
        found = ids >= 0
        return ids[found], ranks[found]

    def cached_matches(
        self, query: str, read: Callable[[], list[tuple[int, float]]]
    ) -> tuple[IntArray, FloatArray]:
        """The organisations matching `query` (see `to_organisations`), read once per index."""
        with self._matches_lock:
            hit = self._matches.get(query)
            if hit is not None:
                self._matches.move_to_end(query)
                return hit
        ids, ranks = self.to_organisations(read())
        ids.flags.writeable = False
        ranks.flags.writeable = False
        with self._matches_lock:
            if query not in self._matches and len(ids) <= MATCH_CACHE_IDS:
                self._matches[query] = (ids, ranks)
                self._matches_size += len(ids)
                while self._matches_size > MATCH_CACHE_IDS:
                    _query, (old, _ranks) = self._matches.popitem(last=False)
                    self._matches_size -= len(old)
        return ids, ranks

    def sector_list(self, read: Callable[[], list[Any]]) -> list[Any]:
        """The sector taxonomy (`read()`), kept with the index's fragments: the directory page
        needs it on every request to check its filters and label its facet."""
        key = ("sectors", _sector_writes[0])
        sectors = self.fragments.get(key)
        if sectors is None:
            sectors = read()
            self.fragments[key] = sectors
        return sectors  # type: ignore[no-any-return]

    # --- visibility ------------------------------------------------------------------------
    def _seen(self, ids: IntArray, who: Visibility) -> BoolArray | None:
        """Which of `ids` `who` may see (None: all of them)."""
        if who.everything:
            return None
        vis = self.visibility[ids]
        seen = vis <= (1 if who.network else 0)
        if who.owner_ids:
            seen |= np.isin(ids, np.fromiter(who.owner_ids, dtype=np.int64))
        return seen

    def visible(
        self, ids: IntArray, ranks: FloatArray, who: Visibility
    ) -> tuple[IntArray, FloatArray]:
        seen = self._seen(ids, who)
        return (ids, ranks) if seen is None else (ids[seen], ranks[seen])

    def everyone(self, who: Visibility) -> IntArray:
        """Every organisation `who` may see, in name order."""
        if who.everything:
            return self.by_name
        base = self.members if who.network else self.public
        size = len(self.position)
        extra = [
            pk
            for pk in who.owner_ids
            if 0 <= pk < size
            and self.position[pk] >= 0
            and self.visibility[pk] > (1 if who.network else 0)
        ]
        if not extra:
            return base
        merged = np.concatenate([base, np.array(extra, dtype=np.int64)])
        return merged[np.argsort(self.position[merged], kind="stable")]

    # --- filters and counts ----------------------------------------------------------------
    def _masks(self, ids: IntArray, s: Selection) -> dict[str, BoolArray]:
        """One boolean mask over `ids` per active filter."""
        masks: dict[str, BoolArray] = {}
        if s.countries:
            codes = [self.countries.index(c) for c in s.countries if c in self.countries]
            masks["country"] = _among(self.country[ids], codes)
        if s.kinds:
            codes = [self.kinds.index(k) for k in s.kinds if k in self.kinds]
            masks["kind"] = _among(self.kind[ids], codes)
        if s.sector_ids:
            cols = [self.sector_ids.index(pk) for pk in s.sector_ids if pk in self.sector_ids]
            masks["sector"] = self._any_sector(self.sectors[ids], cols)
        if s.territory_ids is not None:
            places = np.fromiter(s.territory_ids, dtype=np.int64)
            masks["territory"] = np.isin(self.territory[ids], places)
        if s.medium_city:
            masks["medium_city"] = self.medium[ids]
        if s.network_member:
            masks["network_member"] = self.network[ids]
        return masks

    @staticmethod
    def _combine(masks: dict[str, BoolArray], size: int, skip: str = "") -> BoolArray | None:
        kept: BoolArray | None = None
        for name, mask in masks.items():
            if name != skip:
                kept = mask.copy() if kept is None else (kept & mask)
        return kept

    @staticmethod
    def _any_sector(bits: npt.NDArray[np.uint64], cols: list[int]) -> BoolArray:
        found = np.zeros(len(bits), dtype=np.bool_)
        for word in {col // 64 for col in cols}:
            wanted = sum(1 << (col % 64) for col in cols if col // 64 == word)
            found |= (bits[:, word] & np.uint64(wanted)) != 0
        return found

    def select_ranked(
        self, ids: IntArray, ranks: FloatArray | None, selection: Selection
    ) -> tuple[IntArray, FloatArray | None]:
        """`ids` (and their `ranks`) passing every active filter, in their order."""
        kept = self._combine(self._masks(ids, selection), len(ids))
        if kept is None:
            return ids, ranks
        return ids[kept], (None if ranks is None else ranks[kept])

    def counts(self, ids: IntArray, selection: Selection) -> dict[str, Any]:
        """Facet counts of `ids`, each facet ignoring its own filter (as a user expects): total,
        countries and kinds by code, sectors by id, areas by decreasing count, medium-city and
        network counts (JSON-ready: string keys)."""
        masks = self._masks(ids, selection)
        full = self._combine(masks, len(ids))

        def scope(name: str) -> IntArray:
            kept = self._combine(masks, len(ids), name) if name in masks else full
            return ids if kept is None else ids[kept]

        country = np.bincount(self.country[scope("country")] + 1, minlength=len(self.countries) + 1)
        kind = np.bincount(self.kind[scope("kind")] + 1, minlength=len(self.kinds) + 1)
        bits = self.sectors[scope("sector")]
        sector = {
            str(pk): int(np.count_nonzero(bits[:, col // 64] & np.uint64(1 << (col % 64))))
            for col, pk in enumerate(self.sector_ids)
        }
        area = self.area[scope("territory")]
        by_area = np.bincount(area[area >= 0]) if len(area) else np.zeros(0, dtype=np.int64)
        areas = np.flatnonzero(by_area)
        order = areas[np.lexsort((areas, -by_area[areas]))]
        return {
            "total": int(len(ids) if full is None else np.count_nonzero(full)),
            "country": {c: int(country[i + 1]) for i, c in enumerate(self.countries)},
            "kind": {k: int(kind[i + 1]) for i, k in enumerate(self.kinds)},
            "sector": sector,
            "territory": {str(int(pk)): int(by_area[pk]) for pk in order},
            "medium_city": int(np.count_nonzero(self.medium[scope("medium_city")])),
            "network_member": int(np.count_nonzero(self.network[scope("network_member")])),
        }

    def page(
        self, ids: IntArray, ranks: FloatArray | None, start: int, stop: int
    ) -> list[tuple[int, float]]:
        """(id, rank) of ids[start:stop] in page order: rank descending, then name order; or,
        without ranks, the order of `ids` (already the name order) with rank 0."""
        if ranks is None:
            return [(int(pk), 0.0) for pk in ids[start:stop]]
        if stop < len(ids):  # only the candidates for the first `stop` places are sorted
            threshold = np.partition(-ranks, stop - 1)[stop - 1]
            inside = -ranks <= threshold
            ids, ranks = ids[inside], ranks[inside]
        order = np.lexsort((self.position[ids], -ranks))[start:stop]
        return [(int(pk), float(rank)) for pk, rank in zip(ids[order], ranks[order], strict=True)]


def _among(values: npt.NDArray[Any], codes: list[int]) -> BoolArray:
    """`np.isin(values, codes)` for a few codes (a country, some kinds): comparisons are ten
    times faster than `isin`, which sorts."""
    if len(codes) > 8:
        return np.isin(values, codes)
    found = np.zeros(len(values), dtype=np.bool_)
    for code in codes:
        found |= values == code
    return found


def _read_fingerprint() -> tuple[str, str]:
    """(organisations, territories) versions. The first changes whenever an organisation or its
    search entry is added, changed or removed (sectors are set by the services that save the
    organisation), and when a sector of the taxonomy is added or removed; the second with
    territories and network memberships. One query of scalar subqueries, each on an index."""
    from mediane.territories.models import NetworkMembership, Territory

    q = connection.ops.quote_name
    org = q(Organisation._meta.db_table)
    ter = q(Territory._meta.db_table)
    net = q(NetworkMembership._meta.db_table)
    entry = q(SearchEntry._meta.db_table)
    sector = q(Sector._meta.db_table)
    sql = (
        f"SELECT (SELECT MAX(id) FROM {org}), (SELECT MAX(updated_at) FROM {org}), "  # noqa: S608
        f"(SELECT COUNT(*) FROM {org}), (SELECT MAX(id) FROM {entry}), "
        f"(SELECT MAX(id) FROM {sector}), (SELECT COUNT(*) FROM {sector}), "
        f"(SELECT MAX(id) FROM {ter}), (SELECT COUNT(*) FROM {ter}), "
        f"(SELECT MAX(updated_at) FROM {net}), (SELECT COUNT(*) FROM {net})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = [str(value) for value in cursor.fetchone()]
    return ":".join(row[:6]), ":".join(row[6:])


# The fingerprint's COUNT(*) subqueries cost tens of milliseconds on PostgreSQL at 200,000
# rows: it is read at most every FINGERPRINT_SECONDS per process. Writes made through the ORM in
# this process (services, admin, imports) drop it at once (signals, and again on commit), so a
# writer sees its change immediately; another process sees it within that delay.
FINGERPRINT_SECONDS = 2.0
_fingerprints = Fingerprints()


def fingerprint() -> tuple[str, str]:
    """The versions of `_read_fingerprint()`, read again when older than FINGERPRINT_SECONDS
    or after a write of this process."""
    return _fingerprints.get(_read_fingerprint, FINGERPRINT_SECONDS)  # type: ignore[no-any-return]


def forget_fingerprint(**_kwargs: Any) -> None:
    """Drop the cached fingerprints (a write happened; see `Fingerprints.forget`)."""
    _fingerprints.forget()


# Incremented by every write of a sector in this process: part of the keys of the sector list
# kept with the index (`sector_list()`) and of the sidebars and cards, so that a renamed sector
# shows at once here, and in other processes when their fragments expire (FRAGMENT_SECONDS); an
# added or removed sector changes the fingerprint.
_sector_writes = [0]


def sector_writes() -> int:
    """How many sector writes this process has seen (part of the keys of kept fragments that
    show sector names)."""
    return _sector_writes[0]


def forget_sectors(**_kwargs: Any) -> None:
    """A sector was saved or deleted: drop the kept sector lists and the fingerprint."""
    _sector_writes[0] += 1
    forget_fingerprint()


def connect_write_signals() -> None:
    """Forget the fingerprint on every ORM write to what the directory index reads."""
    from mediane.territories.models import NetworkMembership, Territory

    for model in (Organisation, SearchEntry, Territory, NetworkMembership):
        uid = f"facet_index_{model._meta.label_lower}"
        signals.post_save.connect(forget_fingerprint, sender=model, dispatch_uid=uid + "_save")
        signals.post_delete.connect(forget_fingerprint, sender=model, dispatch_uid=uid + "_del")
    uid = "facet_index_sector"
    signals.post_save.connect(forget_sectors, sender=Sector, dispatch_uid=uid + "_save")
    signals.post_delete.connect(forget_sectors, sender=Sector, dispatch_uid=uid + "_del")
    signals.m2m_changed.connect(
        forget_fingerprint, sender=Organisation.sectors.through, dispatch_uid="facet_index_sectors"
    )


_lock = threading.Lock()
_indexes: dict[str, DirectoryIndex] = {}


def directory_index(version: tuple, territory_info) -> DirectoryIndex:
    """The index of the current database for `version` (a `fingerprint()`), built if needed.

    `territory_info(territory_id)` gives the area and flags of a territory (see selectors).
    """
    alias = database_key()
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
    memory.settle()  # the new index is long-lived: out of the collector's walks
    return index


def forget_directory_index() -> None:
    """Drop the indexes and fingerprints of this process (tests)."""
    with _lock:
        _indexes.clear()
    _fingerprints.clear()
