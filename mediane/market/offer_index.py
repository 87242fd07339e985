"""In-process map from the search index's offer entries to the organisations that publish them.

The market's recommendations look for organisations whose published offers match each main
word of a challenge. Asking the full-text index for the best offers of a common word ("suivi",
"plateforme") and joining them to their organisations costs tens of milliseconds per word at
100,000 offers, and a challenge asks up to 16 words. This index keeps, per process and per
version of the offers, the owner of every offer entry (a numpy array indexed by entry id) and
the owners matching recent words, best offer first: a word is read from the full-text index
once per version, then answered from memory.

Like the directory's facet index it is a cache of the database: each use reads a fingerprint
of the offers (at most every `FINGERPRINT_SECONDS`, at once after a write of this process) and
an index built for another fingerprint is never used. Visibility is not decided here: callers
filter the owners with the directory's rules (`organisations_visible_among`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.db.models import signals

from mediane.core.fingerprints import Fingerprints, database_key
from mediane.market.models import Offer
from mediane.search.models import SearchEntry

IntArray = npt.NDArray[np.int64]

KIND = "offer"
# Owners kept per word and version, in all (8 bytes each), least recently used first out.
MATCH_CACHE_IDS = 1_000_000
FINGERPRINT_SECONDS = 2.0


class OfferIndex:
    """Owner organisation of each offer entry, and the owners matching recent words."""

    def __init__(self, version: tuple, entries: list[tuple[int, int | None]]) -> None:
        self.version = version
        size = max((entry for entry, _owner in entries), default=0) + 1
        self.owner = np.full(size, -1, dtype=np.int64)
        for entry, owner in entries:
            if owner is not None:
                self.owner[entry] = owner
        self._matches: OrderedDict[str, IntArray] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def owners(self, ranked: list[tuple[int, float]]) -> IntArray:
        """Organisations owning the entries of `ranked` ((entry id, rank)), each once, in the
        order of their best entry (rank descending, then entry id)."""
        if not ranked:
            return np.zeros(0, dtype=np.int64)
        ordered = sorted(ranked, key=lambda pair: (-pair[1], pair[0]))
        entries = np.fromiter((e for e, _r in ordered), dtype=np.int64, count=len(ordered))
        entries = entries[entries < len(self.owner)]
        owners = self.owner[entries]
        owners = owners[owners >= 0]
        _unique, first = np.unique(owners, return_index=True)
        return owners[np.sort(first)]

    def matches(self, word: str, read: Callable[[], list[tuple[int, float]]]) -> IntArray:
        """Owners of the offers matching `word` (see `owners`), read once per version."""
        with self._lock:
            hit = self._matches.get(word)
            if hit is not None:
                self._matches.move_to_end(word)
                return hit
        owners = self.owners(read())
        owners.flags.writeable = False
        with self._lock:
            if word not in self._matches and len(owners) <= MATCH_CACHE_IDS:
                self._matches[word] = owners
                self._size += len(owners)
                while self._size > MATCH_CACHE_IDS:
                    _word, old = self._matches.popitem(last=False)
                    self._size -= len(old)
        return owners


def _read_fingerprint() -> tuple[str, ...]:
    """Changes whenever an offer or an offer's search entry is added, changed or removed."""
    q = connection.ops.quote_name
    offer = q(Offer._meta.db_table)
    entry = q(SearchEntry._meta.db_table)
    sql = (
        f"SELECT (SELECT MAX(id) FROM {offer}), (SELECT MAX(updated_at) FROM {offer}), "  # noqa: S608
        f"(SELECT COUNT(*) FROM {offer}), (SELECT MAX(id) FROM {entry})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(str(value) for value in cursor.fetchone())


_fingerprints = Fingerprints()
_indexes: dict[str, OfferIndex] = {}
_build_lock = threading.Lock()


def fingerprint() -> tuple[str, ...]:
    return _fingerprints.get(_read_fingerprint, FINGERPRINT_SECONDS)  # type: ignore[no-any-return]


def offer_index() -> OfferIndex:
    """The index of the current database and offers version, built if needed (one thread
    builds, the others wait for it)."""
    alias, version = database_key(), fingerprint()
    index = _indexes.get(alias)
    if index is not None and index.version == version:
        return index
    with _build_lock:
        index = _indexes.get(alias)
        if index is None or index.version != version:
            rows = SearchEntry.objects.filter(kind=KIND).values_list("pk", "owner_id")
            index = OfferIndex(version, list(rows.iterator(5000)))
            _indexes[alias] = index
        return index


def forget(**_kwargs: Any) -> None:
    """Drop the cached fingerprints (an offer was written; see `Fingerprints.forget`)."""
    _fingerprints.forget()


def forget_offer_index() -> None:
    """Drop the indexes and fingerprints of this process (tests)."""
    with _build_lock:
        _indexes.clear()
    _fingerprints.clear()


def connect_write_signals() -> None:
    for sender in (Offer, SearchEntry):
        uid = f"offer_index_{sender._meta.label_lower}"
        signals.post_save.connect(forget, sender=sender, dispatch_uid=uid + "_save")
        signals.post_delete.connect(forget, sender=sender, dispatch_uid=uid + "_delete")
