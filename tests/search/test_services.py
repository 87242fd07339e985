"""Writes to the index: upsert, removal, rebuild."""

from __future__ import annotations

import pytest
from django.db import transaction

from mediane.search.models import SearchEntry
from mediane.search.selectors import search
from mediane.search.services import (
    SearchDocument,
    index_document,
    register_indexer,
    registered_kinds,
    reindex,
    remove_document,
    unregister_indexer,
)
from tests.search.conftest import KIND, doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes():
    """A registered indexer for the test kind, yielding the documents of a list we control."""
    documents: list[SearchDocument] = []
    register_indexer(KIND, lambda: iter(documents))
    yield documents
    unregister_indexer(KIND)


def titles(user, query):
    return [hit.title for hit in search(user=user, query=query).hits]


def test_index_document_replaces_the_previous_version(index, anonymous):
    index(1, "Laine des Pyrénées")
    index(1, "Tourisme durable", visibility="network")
    entry = SearchEntry.objects.get(kind=KIND, object_id=1)
    assert (entry.title, entry.visibility) == ("Tourisme durable", "network")
    assert SearchEntry.objects.count() == 1
    assert titles(anonymous, "laine") == []
    assert titles(anonymous, "tourisme") == [], "now network only"


def test_remove_document(index, anonymous):
    index(1, "Laine des Pyrénées")
    index(2, "Laine de Nevers")
    remove_document(kind=KIND, object_id=1)
    remove_document(kind=KIND, object_id=1)  # already gone: no error
    assert titles(anonymous, "laine") == ["Laine de Nevers"]
    assert SearchEntry.objects.filter(kind=KIND).count() == 1


def test_index_follows_the_writer_transaction(anonymous, db):
    with pytest.raises(RuntimeError), transaction.atomic():
        index_document(doc(1, "Laine"))
        raise RuntimeError("the writer failed")
    assert titles(anonymous, "laine") == []
    assert not SearchEntry.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [doc(1, "x", visibility="secret"), doc(1, "x", kind=""), doc(1, "x", kind="k" * 40)],
)
def test_invalid_documents_are_refused(bad, db):
    with pytest.raises(ValueError):
        index_document(bad)
    assert not SearchEntry.objects.exists()


def test_long_fields_are_cut(db):
    index_document(doc(1, "t" * 900, url="/" + "u" * 900))
    entry = SearchEntry.objects.get()
    assert len(entry.title) == 500 and len(entry.url) == 500


def test_reindex_rebuilds_and_is_idempotent(notes, index, anonymous):
    index(99, "Laine périmée")  # indexed earlier, its object no longer exists
    notes += [doc(i, f"Laine {i}") for i in range(1, 6)]
    steps: list[int] = []
    assert reindex([KIND], progress=steps.append) == 5
    assert sum(steps) == 5
    first = sorted(titles(anonymous, "laine"))
    assert first == [f"Laine {i}" for i in range(1, 6)]
    assert reindex([KIND]) == 5
    assert sorted(titles(anonymous, "laine")) == first
    assert SearchEntry.objects.filter(kind=KIND).count() == 5


def test_reindex_leaves_other_kinds_alone(notes, index, anonymous):
    index(1, "Laine voisine", kind="test_other")
    notes.append(doc(1, "Laine"))
    reindex([KIND])
    assert sorted(titles(anonymous, "laine")) == ["Laine", "Laine voisine"]


def test_reindex_in_batches(notes, anonymous, monkeypatch):
    monkeypatch.setattr("mediane.search.services.BATCH_SIZE", 3)
    notes += [doc(i, f"Lot {i}") for i in range(1, 9)]
    steps: list[int] = []
    assert reindex([KIND], progress=steps.append) == 8
    assert steps == [3, 3, 2]
    assert search(user=anonymous, query="lot").total == 8


def test_reindex_all_registered_kinds(notes):
    notes.append(doc(1, "Laine"))
    assert KIND in registered_kinds()
    assert reindex() >= 1
    assert SearchEntry.objects.filter(kind=KIND).count() == 1


def test_reindex_unknown_kind(db):
    with pytest.raises(KeyError):
        reindex(["nope"])
