"""Home page, map page and the map's GeoJSON endpoint: public data only, bounded queries."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.urls import reverse

from mediane.core import selectors
from mediane.directory.models import Organisation
from mediane.territories.models import NetworkMembership, Territory

pytestmark = pytest.mark.django_db

_codes = itertools.count(1)


def make_city(name: str, *, country: str = "FR", member_since=None, status="active", lat=46.0):
    territory = Territory.objects.create(
        country=country,
        kind="municipality",
        code=f"{next(_codes):05d}",
        name=name,
        slug=f"ville-{name.lower()}",
        population=30_000,
        latitude=lat,
        longitude=2.0,
    )
    if member_since is not None:
        NetworkMembership.objects.create(
            territory=territory, status=status, member_since=member_since
        )
    return territory


def make_org(name: str, *, kind="startup", territory=None, visibility="public", **extra):
    return Organisation.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        kind=kind,
        country=territory.country if territory else "FR",
        territory=territory,
        visibility=visibility,
        **extra,
    )


@pytest.fixture
def network():
    nevers = make_city("Nevers", member_since=datetime.date(2018, 11, 8), status="founder")
    lourdes = make_city("Lourdes", member_since=datetime.date(2023, 1, 1), lat=43.1)
    shawi = make_city(
        "Shawinigan", country="QC", member_since=datetime.date(2018, 11, 8), status="founder"
    )
    make_city("Former", member_since=datetime.date(2019, 1, 1), status="former")
    make_city("Outside")
    make_org("Inkub", kind="incubateur", territory=nevers)
    make_org(
        "Tiers-lieu de Lourdes", kind="tiers-lieu", territory=lourdes, latitude=43.2, longitude=0.1
    )
    make_org("Secret Incubator", kind="incubateur", territory=nevers, visibility="private")
    make_org("Network Accelerator", kind="accelerateur", territory=shawi, visibility="network")
    make_org("Filature des Gaves", kind="pme", territory=lourdes, summary="Laine des Pyrénées")
    make_org("Nowhere Incubator", kind="incubateur")
    return {"nevers": nevers, "lourdes": lourdes, "shawinigan": shawi}


def test_home_presents_the_network(client, network, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("core:home"))
    assert response.status_code == 200
    html = response.content.decode()
    figures = response.context["data"].figures
    assert figures["cities"] == 3  # active and founder members only
    assert figures["organisations"] == 4  # public ones
    assert figures["countries"] == 2
    assert "Lourdes" in html and "Shawinigan" in html
    assert "Filature des Gaves" in html
    assert "Secret Incubator" not in html
    assert "Network Accelerator" not in html
    # Latest member first.
    members = [m.territory.name for m in response.context["data"].latest_members]
    assert members[0] == "Lourdes"
    assert "Former" not in members
    assert 'role="search"' in html and 'name="q"' in html


def test_home_query_count_does_not_grow_with_data(client, network, django_assert_max_num_queries):
    for index in range(20):
        make_org(f"Demo {index}", territory=network["nevers"])
    with django_assert_max_num_queries(8):
        assert client.get(reverse("core:home")).status_code == 200


def test_home_empty_network(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert "Aucune ville membre" in response.content.decode()


def test_geojson_has_public_places_only(client, network, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get(reverse("core:map_points"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    features = response.json()["features"]
    names = {f["properties"]["name"]: f for f in features}
    assert {"Nevers", "Lourdes", "Shawinigan", "Inkub", "Tiers-lieu de Lourdes"} <= set(names)
    assert "Former" not in names and "Outside" not in names
    assert "Secret Incubator" not in names
    assert "Network Accelerator" not in names
    assert "Filature des Gaves" not in names  # not a map layer
    assert "Nowhere Incubator" not in names  # no coordinates at all
    # An organisation's own coordinates win over its territory's; GeoJSON is [lon, lat].
    assert names["Tiers-lieu de Lourdes"]["geometry"]["coordinates"] == [0.1, 43.2]
    assert names["Inkub"]["geometry"]["coordinates"] == [2.0, 46.0]
    assert names["Inkub"]["properties"]["url"] == "/annuaire/inkub/"
    assert names["Inkub"]["properties"]["layer"] == "incubator"


def test_geojson_layer_filter(client, network):
    response = client.get(reverse("core:map_points"), {"layer": ["incubator", "bogus"]})
    layers = {f["properties"]["layer"] for f in response.json()["features"]}
    assert layers == {"incubator"}
    # Only unknown layers: everything, never an error.
    response = client.get(reverse("core:map_points"), {"layer": "<script>"})
    assert response.status_code == 200
    assert {f["properties"]["layer"] for f in response.json()["features"]} == {
        "city",
        "incubator",
        "tiers-lieu",
    }


def test_map_page_lists_places_without_javascript(client, network, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get(reverse("core:map"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-geojson="/carte/points.geojson"' in html
    assert 'href="/annuaire/inkub/"' in html
    assert "Secret Incubator" not in html
    response = client.get(reverse("core:map"), {"layer": "city"})
    html = response.content.decode()
    assert "Nevers" in html and 'href="/annuaire/inkub/"' not in html
    assert 'value="city" checked' in html and 'value="incubator" checked' not in html


def test_map_points_sorted_cities_first():
    nevers = make_city("Nevers", member_since=datetime.date(2018, 1, 1))
    make_org("Zeta Lab", kind="tiers-lieu", territory=nevers)
    make_org("Alpha Hub", kind="incubateur", territory=nevers)
    points = selectors.map_points()
    assert [p.name for p in points] == ["Nevers", "Alpha Hub", "Zeta Lab"]


def test_pages_send_a_strict_csp_and_no_inline_script(client, network):
    response = client.get(reverse("core:map"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    html = response.content.decode()
    assert "<script>" not in html and " style=" not in html


def test_language_switch_to_english(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("core:map")}, follow=True
    )
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"}, follow=True)
    assert '<html lang="fr">' in response.content.decode()
