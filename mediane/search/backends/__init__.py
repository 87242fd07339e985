"""Full-text backends: one per database vendor, same interface.

`get_backend()` returns the backend of the default database: SQLite FTS5 (`sqlite.py`) or
PostgreSQL full-text search with the French configuration and `unaccent` (`postgres.py`).
Both receive queries already parsed by `mediane.search.query`, so users' text never reaches the
engine as syntax.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.db import connection
from django.db.models import QuerySet

from mediane.search.query import ParsedQuery


@dataclass(frozen=True)
class Scope:
    """What a reader may see: everything, or public + (network) + entries of `owner_ids`."""

    everything: bool = False
    network: bool = False
    owner_ids: tuple[int, ...] = ()


class Backend(Protocol):
    vendor: str

    def write(self, entries: list, *, fresh: bool = False) -> None:
        """Index saved SearchEntry rows (`fresh`: they were not indexed before)."""

    def delete(self, entry_ids: list[int]) -> None:
        """Drop the full-text rows of these SearchEntry ids."""

    def delete_kind(self, kind: str) -> None:
        """Drop the full-text rows of every SearchEntry of `kind`."""

    def optimize(self) -> None:
        """Compact the full-text index after a rebuild."""

    def search_ids(
        self,
        qs: QuerySet,
        parsed: ParsedQuery,
        *,
        scope: Scope,
        kinds: list[str] | None,
        limit: int,
        offset: int,
        titles_only: bool = False,
    ) -> tuple[list[tuple[int, float]], int]:
        """One page of matching entry ids with their rank, best first, and the total.

        `qs` is SearchEntry filtered by kind and visibility (`core.permissions.visible_q`);
        `scope` says the same for backends filtering inside their own index.
        """

    def match_ranks(self, parsed: ParsedQuery, *, kind: str) -> list[tuple[int, float]]:
        """(entry id, rank) of every matching entry of `kind`, rank as in `filter_objects`
        (entries of other kinds may appear: callers keep the ids they know)."""

    def filter_objects(
        self, qs: QuerySet, parsed: ParsedQuery, *, kind: str, column: str
    ) -> QuerySet:
        """Rows of `qs` whose `column` is the object_id of a matching entry of `kind`."""


_BACKENDS: dict[str, Backend] = {}


def get_backend() -> Backend:
    """The backend for the default database's vendor."""
    vendor = connection.vendor
    backend = _BACKENDS.get(vendor)
    if backend is None:
        if vendor == "sqlite":
            from mediane.search.backends.sqlite import SQLiteBackend

            backend = SQLiteBackend()
        elif vendor == "postgresql":
            from mediane.search.backends.postgres import PostgresBackend

            backend = PostgresBackend()
        else:
            raise NotImplementedError(f"no search backend for {vendor}")
        _BACKENDS[vendor] = backend
    return backend
