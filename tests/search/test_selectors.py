"""Search behaviour, through the public interface; runs on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import pytest

from mediane.directory.models import Organisation
from mediane.search.selectors import autocomplete, search, search_filter_queryset
from tests.accounts.factories import OrganisationFactory
from tests.search.conftest import KIND

pytestmark = pytest.mark.django_db


def ids(results) -> list[int]:
    return [hit.object_id for hit in results.hits]


def test_accents_and_case_are_ignored(index, anonymous):
    index(1, "Énergie citoyenne")
    index(2, "Tourisme durable")
    assert ids(search(user=anonymous, query="eneRgie")) == [1]
    assert ids(search(user=anonymous, query="ÉNERGIE")) == [1]


def test_french_stemming_matches_plurals(index, anonymous):
    index(1, "Filature", body="La laine des Pyrénées, tricotée à Lourdes.")
    index(2, "Incubateur", body="Une innovation par mois.")
    assert ids(search(user=anonymous, query="laines")) == [1]
    assert ids(search(user=anonymous, query="innovations")) == [2]


def test_prefix_finds_words_being_typed(index, anonymous):
    index(1, "Village numérique de Nevers")
    index(2, "Nouvelle énergie")
    assert ids(search(user=anonymous, query="numér")) == [1]
    assert ids(search(user=anonymous, query="numér ")) == [], "a finished word is not a prefix"


def test_every_word_must_match(index, anonymous):
    index(1, "Laine de Lourdes")
    index(2, "Laine de Nevers")
    assert ids(search(user=anonymous, query="laine nevers")) == [2]


def test_title_match_ranks_above_body_match(index, anonymous):
    index(1, "Atelier textile", body="On y travaille la laine chaque jour.")
    index(2, "Laine des Pyrénées", body="Un atelier textile.")
    index(3, "Autre chose", keywords="laine")
    results = search(user=anonymous, query="laine")
    assert ids(results) == [2, 3, 1]
    assert results.hits[0].rank > results.hits[1].rank > results.hits[2].rank


def test_snippet_and_title_are_highlighted(index, anonymous):
    index(1, "Laine & co", body="Nous filons la <b>laine</b> des brebis des Pyrénées.")
    (hit,) = search(user=anonymous, query="laines").hits
    assert "<mark>laine</mark>" in hit.snippet
    assert "&lt;b&gt;" in hit.snippet, "stored text is escaped, never rendered as HTML"
    assert hit.title_html == "<mark>Laine</mark> &amp; co"
    assert hit.url == "/notes/1/"
    assert hit.kind == KIND


def test_visibility(
    index, anonymous, owner_org, owner_member, network_member, outsider, secretariat
):
    index(1, "Projet laine public")
    index(2, "Projet laine réseau", visibility="network", owner_id=owner_org.pk)
    index(3, "Projet laine privé", visibility="private", owner_id=owner_org.pk)
    index(4, "Projet laine privé ailleurs", visibility="private", owner_id=owner_org.pk + 999)

    def seen(user):
        return sorted(ids(search(user=user, query="projet laine")))

    assert seen(anonymous) == [1]
    assert seen(outsider) == [1], "an account without organisation is not a network member"
    assert seen(network_member) == [1, 2]
    assert seen(owner_member) == [1, 2, 3]
    assert seen(secretariat) == [1, 2, 3, 4]
    assert [h.object_id for h in autocomplete(user=anonymous, prefix="proj")] == [1]


def test_total_counts_every_match_not_only_the_page(index, anonymous):
    for i in range(1, 8):
        index(i, f"Laine numéro {i}")
    first = search(user=anonymous, query="laine", limit=3)
    assert len(first.hits) == 3 and first.total == 7
    last = search(user=anonymous, query="laine", limit=3, offset=6)
    assert len(last.hits) == 1 and last.total == 7
    beyond = search(user=anonymous, query="laine", limit=3, offset=30)
    assert beyond.hits == [] and beyond.total == 7
    assert set(ids(first)) | set(ids(search(user=anonymous, query="laine", limit=3, offset=3)))


def test_kinds_filter(index, anonymous):
    index(1, "Laine", kind="test_other")
    index(1, "Laine")
    assert [
        (h.kind, h.object_id) for h in search(user=anonymous, query="laine", kinds=[KIND]).hits
    ] == [(KIND, 1)]
    assert search(user=anonymous, query="laine").total == 2


@pytest.mark.parametrize(
    "query",
    [
        '"laine',
        "a AND (",
        "*",
        "laine*",
        "NEAR(laine",
        "title:laine",
        "laine OR",
        "(",
        "^",
        "—",
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "l'",
        "é" * 300,
        "x " * 500,
    ],
)
def test_malicious_or_odd_input_never_raises(index, anonymous, query):
    index(1, "Laine des Pyrénées")
    results = search(user=anonymous, query=query)
    assert results.total >= 0
    autocomplete(user=anonymous, prefix=query)
    list(search_filter_queryset(Organisation.objects.all(), query=query, kind=KIND))


def test_operator_words_are_searched_as_words(index, anonymous):
    index(1, "Laine AND soie")
    assert ids(search(user=anonymous, query="laine AND")) == [1]
    assert ids(search(user=anonymous, query='"laine')) == [1]


def test_empty_query_returns_nothing(index, anonymous):
    index(1, "Laine")
    results = search(user=anonymous, query="  ")
    assert results.hits == [] and results.total == 0
    assert autocomplete(user=anonymous, prefix="") == []


def test_autocomplete_matches_title_word_prefixes_only(index, anonymous):
    index(1, "Village by CA Nevers", body="numérique")
    index(2, "Numérique en Pyrénées")
    index(3, "Incubateur Inkub", keywords="numérique")
    hits = autocomplete(user=anonymous, prefix="numé")
    assert [h.object_id for h in hits] == [2]
    assert hits[0].title_html == "<mark>Numérique</mark> en Pyrénées"
    assert [h.object_id for h in autocomplete(user=anonymous, prefix="vil ne")] == [1]


def test_autocomplete_limit(index, anonymous):
    for i in range(1, 15):
        index(i, f"Tiers-lieu {i}")
    assert len(autocomplete(user=anonymous, prefix="tiers", limit=5)) == 5


def test_search_filter_queryset_restricts_and_ranks(db):
    from mediane.search.services import SearchDocument, index_document

    lourdes = OrganisationFactory(name="Tiers-lieu de Lourdes")
    nevers = OrganisationFactory(name="Inkub Nevers")
    other = OrganisationFactory(name="Sans rapport")
    index_document(
        SearchDocument(
            kind=KIND, object_id=lourdes.pk, title=lourdes.name, body="laine et tourisme"
        )
    )
    index_document(SearchDocument(kind=KIND, object_id=nevers.pk, title="Laine de Nevers"))
    index_document(SearchDocument(kind="test_other", object_id=other.pk, title="Laine"))

    qs = search_filter_queryset(Organisation.objects.all(), query="laines", kind=KIND)
    ranked = list(qs.order_by("-search_rank"))
    assert ranked == [nevers, lourdes]
    assert ranked[0].search_rank > ranked[1].search_rank
    assert qs.count() == 2
    assert list(qs.filter(name__startswith="Inkub")) == [nevers], "still a normal queryset"
    empty = search_filter_queryset(Organisation.objects.all(), query="", kind=KIND)
    assert list(empty.order_by("-search_rank")) == []


def test_search_filter_queryset_with_another_id_field(db):
    from mediane.search.services import SearchDocument, index_document
    from tests.accounts.factories import ExpertFactory

    expert = ExpertFactory(name="Claire")
    ExpertFactory(name="Paul")
    index_document(SearchDocument(kind=KIND, object_id=expert.organisation_id, title="Laine"))
    from mediane.directory.models import Expert

    qs = search_filter_queryset(
        Expert.objects.all(), query="laine", kind=KIND, id_field="organisation"
    )
    assert list(qs) == [expert]


def test_global_search_query_count(index, anonymous, django_assert_max_num_queries):
    for i in range(1, 30):
        index(i, f"Laine {i}", body="Texte " * 50)
    with django_assert_max_num_queries(4):
        results = search(user=anonymous, query="laine", limit=10)
    assert len(results.hits) == 10


@pytest.fixture
def small_rank_cap(monkeypatch):
    """Force the SQLite backend's large-result path (tiers instead of bm25 over every match)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the rank cap is specific to the SQLite backend")
    monkeypatch.setattr("mediane.search.backends.sqlite.RANK_CAP", 3)


def test_large_result_sets_put_title_matches_first(index, anonymous, small_rank_cap):
    for i in range(1, 9):
        index(i, f"Atelier {i}", body="On y travaille la laine.")
    index(20, "Laine des Pyrénées")
    index(21, "Maison de la laine")
    index(22, "Privé laine", visibility="private", owner_id=1)
    first = search(user=anonymous, query="laine", limit=4)
    assert first.total == 10
    assert set(ids(first)[:2]) == {20, 21}
    rest = search(user=anonymous, query="laine", limit=4, offset=4)
    last = search(user=anonymous, query="laine", limit=4, offset=8)
    everything = ids(first) + ids(rest) + ids(last)
    assert sorted(everything) == [1, 2, 3, 4, 5, 6, 7, 8, 20, 21]


def test_large_result_sets_in_search_filter_queryset(db, small_rank_cap):
    from mediane.search.services import SearchDocument, index_document

    orgs = [OrganisationFactory(name=f"Atelier {i}") for i in range(5)]
    star = OrganisationFactory(name="Laine de Lourdes")
    for org in orgs:
        index_document(SearchDocument(kind=KIND, object_id=org.pk, title=org.name, body="laine"))
    index_document(SearchDocument(kind=KIND, object_id=star.pk, title=star.name))
    qs = search_filter_queryset(Organisation.objects.all(), query="laine", kind=KIND)
    ranked = list(qs.order_by("-search_rank", "pk"))
    assert ranked[0] == star and len(ranked) == 6


def test_match_ranks_of_a_large_set_put_title_matches_first(db, monkeypatch):
    """Above the rank cap, both backends give every match, title matches ranked above."""
    from mediane.search.selectors import search_match_ranks
    from mediane.search.services import SearchDocument, index_document

    monkeypatch.setattr("mediane.search.backends.sqlite.RANK_CAP", 3)
    monkeypatch.setattr("mediane.search.backends.postgres.RANK_CAP", 3)
    orgs = [OrganisationFactory(name=f"Atelier {i}") for i in range(5)]
    star = OrganisationFactory(name="Laine de Lourdes")
    for org in orgs:
        index_document(SearchDocument(kind=KIND, object_id=org.pk, title=org.name, body="laine"))
    index_document(SearchDocument(kind=KIND, object_id=star.pk, title=star.name))
    from mediane.search.models import SearchEntry

    entry_of = dict(SearchEntry.objects.filter(kind=KIND).values_list("pk", "object_id"))
    ranked = search_match_ranks(query="laine", kind=KIND)
    assert len(ranked) == 6
    best = max(ranked, key=lambda pair: pair[1])
    assert entry_of[best[0]] == star.pk
    assert sorted(rank for _pk, rank in ranked)[:-1] == [0.0] * 5
