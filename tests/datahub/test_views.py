"""Data hub pages, API, search and DCAT-AP: every route refuses what the access level forbids,
bad input gets a clear answer, and the happy paths render."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rdflib import Graph

from mediane.datahub import services
from mediane.search.services import reindex
from tests.datahub.factories import PEOPLE_CSV, PLAIN_CSV, dataset, make_hub, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub():
    return make_hub()


@pytest.fixture
def three(hub):
    """The same clean data at each access level, plus a private dataset with personal data."""
    made = {}
    for visibility in ("public", "network", "private"):
        ds = dataset(
            hub,
            title=f"Fréquentation des équipements {visibility}",
            description="Visites annuelles de la médiathèque et de la piscine municipale.",
            themes=["EDUC"],
            keywords=["équipements"],
        )
        upload(hub, ds, PLAIN_CSV)
        if visibility != "private":
            services.dataset_set_visibility(actor=hub.editor, dataset=ds, visibility=visibility)
        ds.refresh_from_db()
        made[visibility] = ds
    people = dataset(hub, title="Fichier des bénévoles")
    upload(hub, people, PEOPLE_CSV)
    people.refresh_from_db()
    made["people"] = people
    reindex(["dataset"])
    return made


def routes(ds) -> list[str]:
    n = ds.current_version.number
    return [
        reverse("datahub:dataset", args=[ds.slug]),
        reverse("datahub:version", args=[ds.slug, n]),
        reverse("datahub:download", args=[ds.slug, n, "csv"]),
        reverse("datahub:download", args=[ds.slug, n, "json"]),
        reverse("datahub:original", args=[ds.slug, n]),
        reverse("datahub:points", args=[ds.slug, n]),
        reverse("datahub:report", args=[ds.slug, n, "csv"]),
        reverse("datahub:report", args=[ds.slug, n, "json"]),
        reverse("datahub:progress", args=[ds.slug, n]),
        f"/api/v1/datasets/{ds.slug}",
        f"/api/v1/datasets/{ds.slug}/versions/{n}/rows",
        f"/api/v1/datasets/{ds.slug}/versions/{n}/rows.csv",
        f"/api/v1/datasets/{ds.slug}/versions/{n}/profile",
    ]


def get_as(client, user, url):
    """GET `url` as `user`: a session for pages, a bearer token for the API."""
    client.logout()
    if user is None:
        return client.get(url)
    if url.startswith("/api/"):
        from mediane.accounts.services import api_token_create

        _token, raw = api_token_create(user=user, name="tests")
        return client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.force_login(user)
    return client.get(url)


def test_every_route_follows_the_access_level(client, hub, three):
    readers = {
        "public": [None, hub.stranger, hub.outsider, hub.member, hub.secretariat],
        "network": [hub.outsider, hub.member, hub.secretariat],
        "private": [hub.member, hub.editor, hub.secretariat],
    }
    refused = {
        "public": [],
        "network": [None, hub.stranger],
        "private": [None, hub.stranger, hub.outsider],
    }
    for level in ("public", "network", "private"):
        for url in routes(three[level]):
            for user in readers[level]:
                assert get_as(client, user, url).status_code == 200, (level, url, user)
            for user in refused[level]:
                assert get_as(client, user, url).status_code in (302, 404), (level, url, user)


def test_catalogue_search_and_api_never_show_what_one_may_not_read(client, hub, three):
    def titles(response) -> str:
        return response.content.decode()

    anonymous = titles(client.get(reverse("datahub:catalogue"), {"q": "équipements"}))
    assert "équipements public" in anonymous
    assert "équipements network" not in anonymous and "équipements private" not in anonymous
    api = client.get("/api/v1/datasets", {"q": "fréquentation"}).json()
    assert [d["slug"] for d in api["results"]] == [three["public"].slug]
    assert (api["count"], api["limit"], api["offset"]) == (1, 20, 0)
    search = titles(client.get(reverse("search:search"), {"q": "fréquentation"}))
    assert "équipements network" not in search and "équipements private" not in search
    client.force_login(hub.outsider)
    member_view = titles(client.get(reverse("datahub:catalogue"), {"q": "équipements"}))
    assert "équipements network" in member_view and "équipements private" not in member_view
    client.force_login(hub.member)
    own = titles(client.get(reverse("datahub:catalogue")))
    assert "équipements private" in own and "bénévoles" in own


def test_dcat_exports_only_public_datasets_and_parses(client, three):
    for fmt, rdf_format in (("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml")):
        response = client.get(f"/catalogue.{fmt}")
        assert response.status_code == 200
        body = response.content.decode()
        assert three["public"].slug in body
        for hidden in ("network", "private", "people"):
            assert three[hidden].slug not in body
        Graph().parse(data=body, format=rdf_format)
    assert (
        client.get(reverse("datahub_dataset_dcat", args=[three["public"].slug, "ttl"])).status_code
        == 200
    )
    for hidden in ("network", "private"):
        url = reverse("datahub_dataset_dcat", args=[three[hidden].slug, "ttl"])
        assert client.get(url).status_code == 404
    assert client.get("/catalogue.exe").status_code == 404


def test_dcat_export_conforms_to_the_shapes(client, three):
    from pathlib import Path

    from mediane.datahub import dcat

    shapes = (
        Path(__file__).resolve().parents[2].parent / "shared/data/dcat-ap/dcat-ap-3.0.0-SHACL.ttl"
    )
    if not shapes.exists():
        pytest.skip(f"DCAT-AP shapes not found in {shapes}")
    graph = Graph().parse(data=client.get("/catalogue.ttl").content.decode(), format="turtle")
    conforms, violations = dcat.validate(graph, shapes)
    assert conforms, violations


def test_blocked_version_is_not_served_to_readers_of_an_open_dataset(client, hub, three):
    ds = three["public"]
    held = upload(hub, ds, PEOPLE_CSV)
    ds.refresh_from_db()
    assert ds.current_version_id != held.pk
    for url in [
        reverse("datahub:version", args=[ds.slug, held.number]),
        reverse("datahub:download", args=[ds.slug, held.number, "csv"]),
        f"/api/v1/datasets/{ds.slug}/versions/{held.number}/rows",
    ]:
        assert get_as(client, None, url).status_code == 404, url
        assert get_as(client, hub.outsider, url).status_code == 404, url
        assert get_as(client, hub.member, url).status_code == 200, url


def test_rows_api_filters_sorts_pages_and_explains_errors(client, three):
    ds = three["public"]
    n = ds.current_version.number
    columns = {c["label"]: c["name"] for c in ds.current_version.columns}
    url = f"/api/v1/datasets/{ds.slug}/versions/{n}/rows"
    data = client.get(
        url,
        {
            "filter": [f"{columns['equipement']}:contains:mediatheque"],
            "sort": f"-{columns['visites']}",
        },
    ).json()
    assert data["total"] == 2
    assert [row[2] for row in data["rows"]] == [43500, 41000]
    page = client.get(url, {"limit": 1, "offset": 1}).json()
    assert page["total"] == 4 and len(page["rows"]) == 1
    bad = client.get(url, {"filter": ["inconnue:eq:1"]})
    assert bad.status_code == 400 and bad.json()["code"]
    assert client.get(url, {"filter": ["n'importe quoi"]}).status_code == 422
    assert client.get(url, {"limit": 5000}).status_code == 422
    profile = client.get(f"/api/v1/datasets/{ds.slug}/versions/{n}/profile").json()
    assert {p["label"] for p in profile} == {"annee", "equipement", "visites"}


def test_csv_exports_neutralise_formulas(client, hub):
    ds = dataset(hub, title="Formules")
    upload(hub, ds, 'nom,valeur\n=HYPERLINK("http://x"),-12.5\n@SUM(A1),3\n')
    services.dataset_set_visibility(actor=hub.editor, dataset=ds, visibility="public")
    ds.refresh_from_db()
    n = ds.current_version.number
    for url in (
        reverse("datahub:download", args=[ds.slug, n, "csv"]),
        f"/api/v1/datasets/{ds.slug}/versions/{n}/rows.csv",
    ):
        body = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
        assert "'=HYPERLINK" in body and "'@SUM" in body
        assert "-12.5" in body and "'-12.5" not in body


def test_pages_render_for_editors(client, hub, three):
    client.force_login(hub.editor)
    ds = three["people"]
    n = ds.current_version.number
    for url in [
        reverse("datahub:catalogue"),
        reverse("datahub:create"),
        reverse("datahub:schemas"),
        reverse("datahub:dataset", args=[ds.slug]),
        reverse("datahub:edit", args=[ds.slug]),
        reverse("datahub:upload", args=[ds.slug]),
        reverse("datahub:delete", args=[ds.slug]),
        reverse("datahub:version", args=[ds.slug, n]),
        reverse("datahub:progress", args=[ds.slug, n]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("datahub:version", args=[ds.slug, n])).content.decode()
    assert "Publication bloquée" in page
    assert "julie.martin@example.fr" not in page  # examples are masked


def test_forms_create_upload_and_refuse_opening(client, hub):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(hub.editor)
    response = client.post(
        reverse("datahub:create"),
        {
            "organisation": hub.city.pk,
            "title": "Bornes de recharge",
            "frequency": "MONTHLY",
            "licence": "lov2",
        },
    )
    assert response.status_code == 302
    ds = type(hub.city).objects.get(pk=hub.city.pk).datasets.get()
    bad = client.post(reverse("datahub:create"), {"organisation": hub.city.pk, "title": ""})
    assert bad.status_code == 200 and "obligatoire" in bad.content.decode()
    response = client.post(
        reverse("datahub:upload", args=[ds.slug]),
        {"file": SimpleUploadedFile("bornes.csv", PEOPLE_CSV.encode(), "text/csv")},
    )
    assert response.status_code == 302
    from mediane.datahub.processing import process_version

    version = ds.versions.get()
    process_version(version.pk)
    response = client.post(
        reverse("datahub:visibility", args=[ds.slug]), {"visibility": "public"}, follow=True
    )
    assert "bloquent" in response.content.decode()
    ds.refresh_from_db()
    assert ds.visibility == "private"
    # Members cannot change anything.
    client.force_login(hub.member)
    assert client.get(reverse("datahub:edit", args=[ds.slug])).status_code == 403
    assert client.post(
        reverse("datahub:visibility", args=[ds.slug]), {"visibility": "private"}
    ).status_code in (302, 403)
    ds.refresh_from_db()
    assert ds.visibility == "private"


def test_quick_charts_skip_coordinates_and_identifiers(client, hub):
    ds = dataset(hub, title="Bornes")
    upload(
        hub,
        ds,
        "station,latitude,longitude,puissance_kw,acces\n"
        "A1,43.09512,-0.04733,22,public\nA2,43.09001,-0.04001,7,abonnés\n"
        "A3,43.09123,-0.04555,50,public\n",
    )
    client.force_login(hub.member)
    page = client.get(reverse("datahub:dataset", args=[ds.slug])).content.decode()
    assert "puissance_kw par acces" in page
    assert "latitude par" not in page and "par station" not in page
    assert 'id="dataset-map"' in page
    points = client.get(reverse("datahub:points", args=[ds.slug, 1])).json()
    assert len(points["features"]) == 3


def test_organisation_page_lists_the_datasets_one_may_read(client, hub, three):
    url = hub.city.get_absolute_url()
    hub.city.visibility = "public"
    hub.city.save()
    page = client.get(url).content.decode()
    assert "équipements public" in page
    assert "équipements network" not in page and "bénévoles" not in page
    assert "portails nationaux" not in page
    client.force_login(hub.admin)
    page = client.get(url).content.decode()
    assert "équipements private" in page and "bénévoles" in page
    assert reverse("datahub:portals", args=[hub.city.pk]) in page


def test_dcat_catalogue_queries_do_not_grow_with_datasets(client, hub, three):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/catalogue.ttl").status_code == 200
        return len(queries)

    def add_cleared_dataset(n: int) -> None:
        """Public thanks to legal bases: the export must check them without a query each."""
        ds = dataset(hub, title=f"Élus du conseil {n}", description="Élus et délégations.")
        version = upload(hub, ds, PEOPLE_CSV)
        for column in version.blocking_columns():
            services.legal_basis_record(
                actor=hub.admin, dataset=ds, column=column, basis="Décret n° 2018-1117 (élus)."
            )
        services.dataset_set_visibility(actor=hub.editor, dataset=ds, visibility="public")

    add_cleared_dataset(0)
    before = count()
    for n in range(1, 4):
        add_cleared_dataset(n)
    body = client.get("/catalogue.ttl").content.decode()
    assert body.count("eleves-du-conseil") == 0 and "elus-du-conseil-3" in body
    assert count() == before


def test_preview_sorts_and_filters(client, three):
    ds = three["public"]
    names = {c["label"]: c["name"] for c in ds.current_version.columns}
    url = reverse("datahub:dataset", args=[ds.slug])
    page = client.get(url, {"sort": names["visites"], "dir": "desc"}).content.decode()
    assert page.index("52000") < page.index("50100") < page.index("43500")
    page = client.get(url, {"column": names["equipement"], "filter": "piscine"}).content.decode()
    assert "2 premières lignes sur 2" in page
    assert 'aria-sort="descending"' not in page
