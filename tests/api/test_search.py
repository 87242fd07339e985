"""Global search through the API: ranking, kinds, pagination and visibility."""

import pytest

from .conftest import token_headers

pytestmark = pytest.mark.django_db

URL = "/api/v1/search"


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [hit["title"] for hit in response.json()["results"]]


def test_anonymous_search_never_shows_network_or_private_entries(client, orgs):
    assert titles(client.get(URL, {"q": "laine"})) == ["Laine des Pyrénées"]
    assert titles(client.get(URL, {"q": "secrète"})) == []


def test_outsider_token_sees_public_entries_only(client, orgs, outsider):
    assert titles(client.get(URL, {"q": "laine"}, **token_headers(outsider))) == [
        "Laine des Pyrénées"
    ]


def test_members_see_what_their_roles_allow(client, orgs, private_member, secretariat):
    seen = set(titles(client.get(URL, {"q": "laine"}, **token_headers(private_member))))
    assert seen == {"Laine des Pyrénées", "Laine du réseau", "Laine secrète"}
    assert len(titles(client.get(URL, {"q": "laine"}, **token_headers(secretariat)))) == 3


def test_hits_have_kind_url_snippet_and_rank(client, orgs):
    body = client.get(URL, {"q": "filature"}).json()
    assert body["count"] == 1
    hit = body["results"][0]
    assert hit["kind"] == "organisation"
    assert hit["object_id"] == orgs["public"].pk
    assert hit["url"].endswith(f"/annuaire/{orgs['public'].slug}/")
    assert "<mark>" in hit["snippet"]
    assert isinstance(hit["rank"], float)


def test_kinds_filter(client, orgs):
    assert titles(client.get(URL, {"q": "laine", "kinds": "expert"})) == []
    assert titles(client.get(URL, {"q": "laine", "kinds": "organisation,expert"})) == [
        "Laine des Pyrénées"
    ]


def test_pagination(client, orgs, secretariat):
    headers = token_headers(secretariat)
    every = titles(client.get(URL, {"q": "laine"}, **headers))
    body = client.get(URL, {"q": "laine", "limit": 1, "offset": 1}, **headers).json()
    assert body["count"] == 3
    assert [h["title"] for h in body["results"]] == every[1:2]


@pytest.mark.parametrize("q", ["", "   ", '"laine', "a AND (", "*", "NEAR(", "'; DROP TABLE x"])
def test_odd_queries_never_fail(client, orgs, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200


def test_bad_kinds_are_422(client):
    response = client.get(URL, {"q": "laine", "kinds": "<script>"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kinds"


def test_search_query_count_is_bounded(client, orgs, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert client.get(URL, {"q": "laine"}).status_code == 200
