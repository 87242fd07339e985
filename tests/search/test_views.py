"""The search page, its htmx fragment and the suggestions endpoint."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mediane.search.services import register_indexer, unregister_indexer
from tests.search.conftest import KIND

pytestmark = pytest.mark.django_db
URL = reverse("search:search")


def test_empty_page_has_an_accessible_search_box(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html
    assert '<label for="search-q"' in html
    assert 'type="search"' in html
    assert 'hx-get="/recherche/"' in html
    assert 'data-suggest-url="/recherche/suggestions"' in html
    assert "search/search.js" in html


def test_results_with_badges_marks_and_count(client, index):
    index(1, "Laine des Pyrénées", body="Filature de laine à Lourdes.")
    index(2, "Tourisme durable")
    response = client.get(URL, {"q": "laines"})
    html = response.content.decode()
    assert "1 résultat pour « laines »" in html
    assert "<mark>Laine</mark> des Pyrénées" in html
    assert "Filature de <mark>laine</mark>" in html
    assert 'href="/notes/1/"' in html
    assert "badge-kind" in html
    assert "Tourisme" not in html


def test_no_result_message_with_suggestions(client, index):
    index(1, "Laine")
    html = client.get(URL, {"q": "zzzzz"}).content.decode()
    assert "Aucun résultat" in html
    assert "orthographe" in html
    assert reverse("directory:list") in html


def test_query_is_escaped(client, index):
    html = client.get(URL, {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_htmx_gets_only_the_fragment(client, index):
    index(1, "Laine des Pyrénées")
    response = client.get(URL, {"q": "lain"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "<mark>Laine</mark>" in html
    assert "HX-Request" in response["Vary"]
    restore = client.get(
        URL, {"q": "lain"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restore.content.decode()


def test_pagination(client, index, settings):
    settings.PAGE_SIZE = 5
    for i in range(1, 13):
        index(i, f"Laine {i}")
    html = client.get(URL, {"q": "laine", "page": "2"}).content.decode()
    assert "12 résultats" in html
    assert '<span aria-current="page">2</span>' in html
    assert "page=3" in html and "page=1" in html
    assert html.count('class="search-hit"') == 5
    for bad in ["0", "-3", "abc", "99999999999"]:
        assert client.get(URL, {"q": "laine", "page": bad}).status_code == 200


def test_type_filter_uses_registered_kinds(client, index):
    register_indexer(KIND, lambda: iter(()))
    try:
        index(1, "Laine", kind="test_other")
        index(2, "Laine")
        html = client.get(URL, {"q": "laine", "type": KIND}).content.decode()
        assert "1 résultat" in html
        assert f'<option value="{KIND}" selected>' in html
        unknown = client.get(URL, {"q": "laine", "type": "nope"}).content.decode()
        assert "2 résultats" in unknown, "an unknown type is ignored"
    finally:
        unregister_indexer(KIND)


def test_page_query_count(client, index, django_assert_max_num_queries):
    for i in range(1, 40):
        index(i, f"Laine {i}", body="Des brebis et de la laine. " * 10)
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"q": "laine"})
    assert response.content.decode().count('class="search-hit"') == 20


def test_page_query_count_for_a_member(client, index, owner_member, django_assert_max_num_queries):
    for i in range(1, 40):
        index(i, f"Laine {i}", visibility="network")
    client.force_login(owner_member)
    with django_assert_max_num_queries(7):
        response = client.get(URL, {"q": "laine"})
    assert "39 résultats" in response.content.decode()


def test_suggestions_endpoint(client, index, owner_org):
    index(1, "Numérique en Pyrénées")
    index(2, "Village numérique", visibility="private", owner_id=owner_org.pk)
    response = client.get(reverse("search:suggestions"), {"q": "numé"})
    assert response.status_code == 200
    data = response.json()
    assert data["suggestions"] == [
        {"title": "Numérique en Pyrénées", "url": "/notes/1/", "kind": KIND, "kind_label": KIND}
    ]
    assert client.get(reverse("search:suggestions"), {"q": '"*('}).json()["suggestions"] == []
    assert client.get(reverse("search:suggestions")).json()["suggestions"] == []


def test_only_get(client):
    assert client.post(URL).status_code == 405
