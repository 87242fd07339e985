"""Sectors and organisations: reads with filters and visibility, writes with tokens."""

import pytest

from mediane.accounts.models import Membership
from mediane.core.models import AuditEntry
from mediane.directory.models import Organisation

from .conftest import create_organisation, token_headers

pytestmark = pytest.mark.django_db

URL = "/api/v1/organisations"


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


# --- sectors -----------------------------------------------------------------------------------


def test_sectors_list_the_taxonomy(client):
    response = client.get("/api/v1/sectors")
    assert response.status_code == 200
    body = response.json()
    slugs = {sector["slug"] for sector in body["results"]}
    assert {"laine-textile", "sante", "tourisme"} <= slugs
    assert body["count"] == len(body["results"])
    assert {sector["nature"] for sector in body["results"]} <= {"tech", "craft", "both"}


# --- reads -------------------------------------------------------------------------------------


def test_anonymous_list_shows_public_organisations_only(client, orgs):
    assert names(client.get(URL)) == ["Incubateur Shawinigan", "Laine des Pyrénées"]


def test_outsider_token_sees_public_organisations_only(client, orgs, outsider):
    headers = token_headers(outsider)
    assert names(client.get(URL, **headers)) == ["Incubateur Shawinigan", "Laine des Pyrénées"]
    for key in ("network", "private"):
        response = client.get(f"{URL}/{orgs[key].slug}", **headers)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_network_member_sees_network_but_not_private(client, orgs, editor):
    listed = names(client.get(URL, **token_headers(editor)))
    assert "Laine du réseau" in listed
    assert "Laine secrète" not in listed


def test_member_of_the_private_organisation_sees_it(client, orgs, private_member):
    headers = token_headers(private_member)
    assert "Laine secrète" in names(client.get(URL, **headers))
    assert client.get(f"{URL}/{orgs['private'].slug}", **headers).status_code == 200


def test_secretariat_sees_everything(client, orgs, secretariat):
    assert len(names(client.get(URL, **token_headers(secretariat)))) == 4


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"country": "QC"}, ["Incubateur Shawinigan"]),
        ({"kind": "incubateur"}, ["Incubateur Shawinigan"]),
        ({"sector": "laine-textile"}, ["Laine des Pyrénées"]),
        ({"territory": "lourdes-65286"}, ["Laine des Pyrénées"]),
        ({"medium_city": "true"}, ["Incubateur Shawinigan"]),
        ({"network_member": "true"}, ["Incubateur Shawinigan"]),
        ({"q": "laine"}, ["Laine des Pyrénées"]),
        ({"q": "filature"}, ["Laine des Pyrénées"]),
        ({"country": "FR,QC", "kind": "startup"}, ["Laine des Pyrénées"]),
    ],
)
def test_filters(client, orgs, params, expected):
    assert names(client.get(URL, params)) == expected


def test_territory_filter_includes_the_communes_of_an_area(client, orgs, territories):
    lourdes = territories["lourdes"]
    lourdes.parent = territories["dept"]
    lourdes.save()
    assert names(client.get(URL, {"territory": "dept-65"})) == ["Laine des Pyrénées"]


def test_unknown_filter_values_are_a_clear_422(client, orgs):
    response = client.get(URL, {"sector": "zzz", "kind": "licorne", "territory": "nulle-part"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert {e["field"] for e in body["errors"]} == {"sector", "kind", "territory"}
    assert any("zzz" in e["message"] for e in body["errors"])


@pytest.mark.parametrize(
    "params", [{"limit": "abc"}, {"offset": "-3"}, {"medium_city": "peut-être"}]
)
def test_bad_pagination_or_flags_are_422_not_500(client, orgs, params):
    response = client.get(URL, params)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_pagination_by_limit_and_offset(client, secretariat, territories):
    for i in range(7):
        create_organisation(secretariat, name=f"Entreprise {i}")
    every = names(client.get(URL, {"limit": 100}))
    assert len(every) == 7
    for limit, offset in [(3, 0), (3, 3), (3, 2), (2, 5), (4, 6), (3, 7), (100, 0)]:
        body = client.get(URL, {"limit": limit, "offset": offset}).json()
        assert body["count"] == 7
        assert [r["name"] for r in body["results"]] == every[offset : offset + limit], (
            limit,
            offset,
        )
    assert client.get(URL, {"limit": 10**6}).json()["limit"] == 100
    assert client.get(URL, {"offset": 10**6}).json()["results"] == []


def test_list_query_count_is_bounded(
    client, secretariat, territories, django_assert_max_num_queries
):
    for i in range(30):
        create_organisation(
            secretariat, name=f"Start-up {i}", territory_id=territories["nevers"].pk,
            sector_slugs=["numerique", "sante"],
        )  # fmt: skip
    client.get(URL)  # warm the per-process territory map
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"limit": 30})
    assert len(response.json()["results"]) == 30


def test_detail_has_the_full_profile(client, orgs):
    response = client.get(f"{URL}/{orgs['public'].slug}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Laine des Pyrénées"
    assert body["territory"] == {"slug": "lourdes-65286", "name": "Lourdes"}
    assert body["sectors"] == [{"slug": "laine-textile", "name": "Laine & textile"}]
    assert body["kind_label"] == "Start-up"
    assert body["url"].endswith(f"/annuaire/{orgs['public'].slug}/")
    assert {"description", "siret", "contact_email", "created_at"} <= set(body)


# --- writes ------------------------------------------------------------------------------------

NEW = {
    "name": "Filature de Lourdes",
    "kind": "pme",
    "country": "FR",
    "territory": "lourdes-65286",
    "sectors": ["laine-textile", "artisanat"],
    "website": "filature.example.org",
    "description": "<p>Laine <strong>locale</strong></p><script>alert(1)</script>",
}


def post(client, data, **headers):
    return client.post(URL, data, content_type="application/json", **headers)


def patch(client, slug, data, **headers):
    return client.patch(f"{URL}/{slug}", data, content_type="application/json", **headers)


def test_create_requires_a_token(client, territories):
    response = post(client, NEW)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert not Organisation.objects.exists()


def test_create_with_a_token(client, territories, outsider):
    response = post(client, NEW, **token_headers(outsider))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Filature de Lourdes"
    assert body["territory"]["slug"] == "lourdes-65286"
    assert body["website"] == "https://filature.example.org"
    assert "<script" not in body["description"] and "<strong>locale</strong>" in body["description"]
    organisation = Organisation.objects.get(slug=body["slug"])
    # The author becomes its administrator, and the write is audited.
    assert Membership.objects.get(organisation=organisation, user=outsider).role == "admin"
    assert AuditEntry.objects.filter(action="organisation.create", actor=outsider).exists()
    # It is found through the API's search right away.
    hits = client.get("/api/v1/search", {"q": "filature"}).json()["results"]
    assert [h["title"] for h in hits] == ["Filature de Lourdes"]


def test_invalid_siret_is_a_422_naming_the_field(client, territories, outsider):
    response = post(client, {**NEW, "siret": "12345678901234"}, **token_headers(outsider))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert [e["field"] for e in body["errors"]] == ["siret"]
    assert "SIRET" in body["errors"][0]["message"]
    assert not Organisation.objects.exists()


def test_unknown_territory_and_sector_are_field_errors(client, territories, outsider):
    headers = token_headers(outsider)
    response = post(client, {**NEW, "territory": "atlantide"}, **headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "territory"
    response = post(client, {**NEW, "sectors": ["licornes"]}, **headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "sectors"


def test_duplicate_siret_is_a_409(client, territories, outsider):
    headers = token_headers(outsider)
    siret = "73282932000074"
    assert post(client, {**NEW, "siret": siret}, **headers).status_code == 201
    response = post(client, {**NEW, "name": "Autre", "siret": siret}, **headers)
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "siret"


def test_wrong_types_are_422(client, territories, outsider):
    response = post(
        client, {**NEW, "latitude": "nord", "sectors": "laine"}, **token_headers(outsider)
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"latitude", "sectors"}


def test_editor_can_patch_only_the_fields_sent(client, orgs, editor):
    slug = orgs["public"].slug
    response = patch(client, slug, {"summary": "Laine des estives"}, **token_headers(editor))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["summary"] == "Laine des estives"
    assert body["name"] == "Laine des Pyrénées"
    assert body["sectors"] == [{"slug": "laine-textile", "name": "Laine & textile"}]
    assert AuditEntry.objects.filter(action="organisation.update", actor=editor).exists()
    body = patch(client, slug, {"sectors": ["sante"], "territory": None}, **token_headers(editor))
    assert body.json()["sectors"] == [{"slug": "sante", "name": "Santé"}]
    assert body.json()["territory"] is None


def test_patch_validation_error(client, orgs, editor):
    response = patch(client, orgs["public"].slug, {"contact_email": "pas-une-adresse"},
                     **token_headers(editor))  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "contact_email"


def test_non_editor_token_is_forbidden(client, orgs, outsider, private_member):
    response = patch(client, orgs["public"].slug, {"name": "Piraté"}, **token_headers(outsider))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    # A mere member of the private organisation sees it but cannot edit it.
    response = patch(client, orgs["private"].slug, {"name": "Piraté"},
                     **token_headers(private_member))  # fmt: skip
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="Piraté").exists()


def test_invisible_organisation_cannot_be_patched_and_does_not_leak(client, orgs, outsider):
    response = patch(client, orgs["private"].slug, {"name": "X"}, **token_headers(outsider))
    assert response.status_code == 404


def test_delete_needs_an_admin(client, orgs, editor, secretariat):
    slug = orgs["public"].slug
    assert client.delete(f"{URL}/{slug}").status_code == 401
    assert client.delete(f"{URL}/{slug}", **token_headers(editor)).status_code == 403
    response = client.delete(f"{URL}/{slug}", **token_headers(secretariat))
    assert response.status_code == 204
    assert response.content == b""
    assert not Organisation.objects.filter(slug=slug).exists()
    assert client.get(f"{URL}/{slug}").status_code == 404
