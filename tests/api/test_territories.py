import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/territories"


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


def test_list_is_paginated_with_an_envelope(client, territories):
    response = client.get(URL, {"limit": 2, "offset": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert (body["limit"], body["offset"]) == (2, 1)
    # Ordered by name: Hautes-Pyrénées, Lourdes, Nevers, Shawinigan.
    assert slugs(response) == ["lourdes-65286", "nevers-58194"]


def test_huge_page_size_is_capped_and_offset_past_the_end_is_empty(client, territories):
    assert client.get(URL, {"limit": 10**9}).json()["limit"] == 100
    body = client.get(URL, {"offset": 500}).json()
    assert body["results"] == [] and body["count"] == 4


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"country": "QC"}, ["shawinigan-36033"]),
        ({"kind": "departement"}, ["dept-65"]),
        ({"medium_city": "true"}, ["nevers-58194", "shawinigan-36033"]),
        ({"network_member": "true"}, ["nevers-58194", "shawinigan-36033"]),
        (
            {"network_member": "false", "kind": "municipality"},
            ["lourdes-65286", "nevers-58194", "shawinigan-36033"],
        ),
        ({"q": "58194"}, ["nevers-58194"]),
        ({"q": "lour"}, ["lourdes-65286"]),
    ],
)
def test_filters(client, territories, params, expected):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert slugs(response) == expected


def test_medium_city_bounds_follow_settings(client, territories, settings):
    settings.MEDIUM_CITY_MIN = 10_000
    assert "lourdes-65286" in slugs(client.get(URL, {"medium_city": "true"}))


def test_unknown_filter_values_give_a_clear_422(client, territories):
    response = client.get(URL, {"country": "BE", "kind": "zzz", "limit": "abc", "offset": -1})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    fields = {error["field"] for error in body["errors"]}
    assert fields == {"country", "kind", "limit", "offset"}
    assert all(error["message"] for error in body["errors"])


def test_list_query_count_is_bounded(client, territories, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(URL, {"limit": 100})
    assert response.status_code == 200


def test_detail(client, territories):
    response = client.get(f"{URL}/nevers-58194")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Nevers"
    assert body["kind_label"] == "Commune"
    assert body["is_medium_city"] is True
    assert body["network_status"] == "founder"
    assert body["url"].endswith("/territoires/nevers-58194/")


def test_detail_uses_quebec_wording(client, territories):
    assert client.get(f"{URL}/shawinigan-36033").json()["kind_label"] == "Municipalité"


def test_unknown_territory_is_a_json_404(client, territories):
    response = client.get(f"{URL}/atlantide")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
