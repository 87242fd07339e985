"""Writes to the search index: every app indexes its objects through these functions.

A write service of another app calls `index_document(...)` (or `remove_document(...)`) inside its
own `transaction.atomic`, so the index changes with the object or not at all. Each app also
registers, in its `AppConfig.ready()`, a function yielding all its documents, used by
`reindex` (the `mediane reindex` command) to rebuild the index from scratch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db import transaction

from mediane.core.models import Visibility
from mediane.search.backends import get_backend
from mediane.search.models import SearchEntry

BATCH_SIZE = 2000
_INDEXERS: dict[str, Callable[[], Iterable[SearchDocument]]] = {}
_VISIBILITIES = frozenset(v.value for v in Visibility)


@dataclass(frozen=True)
class SearchDocument:
    """What the index knows of one object. Text is plain (strip HTML before)."""

    kind: str  # "organisation", "expert", "territory", later "challenge", "offer"...
    object_id: int
    title: str  # weight A
    body: str = ""  # weight C
    keywords: str = ""  # weight B: sectors, skills, kind label, territory name...
    visibility: str = Visibility.PUBLIC.value
    owner_id: int | None = None  # owning organisation (readers of "private" documents)
    url: str = ""


def _entry(doc: SearchDocument) -> SearchEntry:
    if not doc.kind or len(doc.kind) > 32:
        raise ValueError(f"invalid search kind {doc.kind!r}")
    if doc.visibility not in _VISIBILITIES:
        raise ValueError(f"invalid visibility {doc.visibility!r}")
    return SearchEntry(
        kind=doc.kind,
        object_id=int(doc.object_id),
        title=(doc.title or "")[:500],
        body=doc.body or "",
        keywords=doc.keywords or "",
        visibility=str(doc.visibility),
        owner_id=doc.owner_id,
        url=(doc.url or "")[:500],
    )


_UPDATE_FIELDS = ["title", "body", "keywords", "visibility", "owner_id", "url", "updated_at"]


def index_document(doc: SearchDocument) -> None:
    """Add or replace the document of (`doc.kind`, `doc.object_id`) in the index."""
    with transaction.atomic():
        _write([_entry(doc)])


def _write(entries: list[SearchEntry]) -> None:
    """Upsert `entries` (unique kind+object_id) and update the backend's full-text index."""
    SearchEntry.objects.bulk_create(
        entries,
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=_UPDATE_FIELDS,
    )
    if any(entry.pk is None for entry in entries):  # databases that return no ids on upsert
        ids = dict(
            SearchEntry.objects.filter(
                kind=entries[0].kind, object_id__in=[e.object_id for e in entries]
            ).values_list("object_id", "pk")
        )
        for entry in entries:
            entry.pk = ids[entry.object_id]
    get_backend().write(entries)


def remove_document(*, kind: str, object_id: int) -> None:
    """Remove the object from the index (no error when it was not indexed)."""
    with transaction.atomic():
        ids = list(
            SearchEntry.objects.filter(kind=kind, object_id=object_id).values_list("pk", flat=True)
        )
        if ids:
            get_backend().delete(ids)
            SearchEntry.objects.filter(pk__in=ids).delete()


def register_indexer(kind: str, iter_documents: Callable[[], Iterable[SearchDocument]]) -> None:
    """Declare how to list every document of `kind`; call it from `AppConfig.ready()`."""
    _INDEXERS[kind] = iter_documents


def unregister_indexer(kind: str) -> None:
    """Forget the indexer of `kind` (tests)."""
    _INDEXERS.pop(kind, None)


def registered_kinds() -> list[str]:
    return sorted(_INDEXERS)


def reindex(kinds: list[str] | None = None, progress: Callable[[int], object] | None = None) -> int:
    """Rebuild the index of `kinds` (all registered kinds by default); returns the count.

    Each kind is rebuilt in its own transaction: readers see the old rows until it commits.
    `progress(n)` is called after each batch with the number of documents written.
    """
    kinds = registered_kinds() if kinds is None else list(kinds)
    unknown = [kind for kind in kinds if kind not in _INDEXERS]
    if unknown:
        raise KeyError(", ".join(unknown))
    total = 0
    backend = get_backend()
    for kind in kinds:
        with transaction.atomic():
            backend.delete_kind(kind)
            SearchEntry.objects.filter(kind=kind).delete()
            for batch in _batches(_INDEXERS[kind](), BATCH_SIZE):
                entries = [_entry(doc) for doc in batch]
                SearchEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
                if any(entry.pk is None for entry in entries):
                    ids = dict(
                        SearchEntry.objects.filter(
                            kind=kind, object_id__in=[e.object_id for e in entries]
                        ).values_list("object_id", "pk")
                    )
                    for entry in entries:
                        entry.pk = ids[entry.object_id]
                backend.write(entries, fresh=True)
                total += len(entries)
                if progress is not None:
                    progress(len(entries))
    if kinds:
        backend.optimize()
    return total


def _batches(items: Iterable[SearchDocument], size: int) -> Iterator[list[SearchDocument]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
