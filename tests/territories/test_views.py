"""Pages: list, territory page, secretariat forms; statuses, content, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from mediane.core.models import AuditEntry
from mediane.territories import services
from mediane.territories.models import NetworkMembership, Territory, Twinning
from mediane.territories.sections import TerritorySection, register_section, unregister_section
from tests.accounts.factories import OrganisationFactory
from tests.territories.factories import TerritoryFactory

pytestmark = pytest.mark.django_db


def test_list_page_and_filters(client, imported):
    response = client.get(reverse("territories:list"), {"country": "QC", "kind": "municipality"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Shawinigan" in body and "Lourdes" not in body
    assert "3 territoires" in body


def test_list_page_never_fails_on_bad_input(client, imported):
    response = client.get(
        reverse("territories:list"),
        {"country": "ZZ", "kind": "<script>", "page": "abc", "medium_city": "x", "q": "é" * 300},
    )
    assert response.status_code == 200
    assert "Pays inconnu" in response.content.decode()
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_list_page_query_count_is_bounded(client, django_assert_max_num_queries, secretariat):
    for n in range(40):
        territory = TerritoryFactory(name=f"Ville {n:02d}", population=20_000 + n)
        if n % 3 == 0:
            NetworkMembership.objects.create(territory=territory, status="active")
    with django_assert_max_num_queries(4):
        response = client.get(reverse("territories:list"), {"network_member": "1"})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 14
    assert "membre du réseau" in response.content.decode()


def test_territory_page(client, imported, secretariat):
    lourdes = Territory.objects.get(slug="lourdes-65286")
    nevers = Territory.objects.get(slug="nevers-58194")
    services.network_membership_set(
        actor=secretariat,
        territory=lourdes,
        status="active",
        member_since=datetime.date(2023, 1, 1),
    )
    services.twinning_create(actor=secretariat, a=lourdes, b=nevers, kind="jumelage")
    response = client.get(lourdes.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="territory-map"' in body
    assert 'data-lat="43.0981"' in body and 'data-lon="-0.0583"' in body
    assert "Code INSEE" in body and "Membre actif" in body and "2023" in body
    assert f'href="{nevers.get_absolute_url()}"' in body
    assert 'href="/territoires/epci-200069300/"' in body  # breadcrumbs
    assert "Adhésion au réseau</a>" not in body  # no secretariat actions for visitors


def test_quebec_wording_and_members(client, imported):
    response = client.get("/territoires/mrc-480/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "MRC" in body and "Municipalités membres" in body and "Acton Vale" in body
    body = client.get("/territoires/region-qc-16/").content.decode()
    assert "Région administrative" in body
    body = client.get("/territoires/shawinigan-36033/").content.decode()
    assert "Municipalité" in body and "Code géographique" in body and "ville médiane" in body


def test_unknown_territory_is_404(client, db):
    assert client.get("/territoires/atlantis-00000/").status_code == 404


def test_territory_page_query_count_is_bounded(client, imported, django_assert_max_num_queries):
    dept = Territory.objects.get(slug="dept-65")
    for n in range(30):
        OrganisationFactory(territory=Territory.objects.get(slug="tarbes-65440"), name=f"Org {n}")
    with django_assert_max_num_queries(8):
        response = client.get(dept.get_absolute_url())
    assert response.status_code == 200
    assert response.context["organisations"].paginator.count == 30


def test_territory_page_hides_invisible_organisations(client, imported):
    lourdes = Territory.objects.get(slug="lourdes-65286")
    OrganisationFactory(territory=lourdes, name="Incubateur visible")
    OrganisationFactory(territory=lourdes, name="Projet confidentiel", visibility="private")
    body = client.get(lourdes.get_absolute_url()).content.decode()
    assert "Incubateur visible" in body and "Projet confidentiel" not in body


def test_sections_extension_point(client, imported):
    register_section(
        TerritorySection(
            key="test-section",
            template="territories/_form_fields.html",
            context=lambda request, territory: {"marker": territory.name},
        )
    )
    try:
        response = client.get("/territoires/lourdes-65286/")
        assert [s["key"] for s in response.context["sections"]] == ["test-section"]
    finally:
        unregister_section("test-section")


@pytest.mark.parametrize(
    "url_name", ["territories:membership", "territories:twinning_add", "territories:edit"]
)
def test_forms_are_for_the_secretariat(client, imported, outsider, url_name):
    url = reverse(url_name, args=["lourdes-65286"])
    response = client.get(url)
    assert response.status_code == 302 and "/comptes/" in response["Location"]
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    assert client.post(url, {"status": "active", "other": "nevers-58194"}).status_code == 403
    assert not AuditEntry.objects.exists()


def test_secretariat_sets_membership(client, imported, secretariat):
    client.force_login(secretariat)
    url = reverse("territories:membership", args=["lourdes-65286"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "active", "member_since": "2023-01-01"})
    assert response.status_code == 302
    membership = NetworkMembership.objects.get(territory__slug="lourdes-65286")
    assert membership.member_since == datetime.date(2023, 1, 1)
    page = client.get("/territoires/lourdes-65286/").content.decode()
    assert "Adhésion au réseau enregistrée" in page and "Membre actif" in page


def test_secretariat_adds_and_removes_a_twinning(client, imported, secretariat):
    client.force_login(secretariat)
    add = reverse("territories:twinning_add", args=["lourdes-65286"])
    response = client.post(add, {"other": "58194", "kind": "jumelage", "since": "2021-05-01"})
    assert response.status_code == 302
    twinning = Twinning.objects.get()
    # A second identical twinning is refused with a message, not an error page.
    response = client.post(add, {"other": "nevers-58194", "kind": "jumelage"})
    assert response.status_code == 200 and "déjà un jumelage" in response.content.decode()
    response = client.post(add, {"other": "lourdes-65286", "kind": "jumelage"})
    assert "lui-même" in response.content.decode()
    response = client.post(add, {"other": "nulle-part", "kind": "jumelage"})
    assert "Territoire introuvable" in response.content.decode()

    delete = reverse("territories:twinning_delete", args=["nevers-58194", twinning.pk])
    confirm = client.get(delete)
    assert confirm.status_code == 200 and "Supprimer le jumelage" in confirm.content.decode()
    assert Twinning.objects.exists()
    assert client.post(delete).status_code == 302
    assert not Twinning.objects.exists()
    other = reverse("territories:twinning_delete", args=["tarbes-65440", twinning.pk])
    assert client.get(other).status_code == 404


def test_secretariat_edits_a_territory(client, imported, secretariat):
    client.force_login(secretariat)
    url = reverse("territories:edit", args=["lourdes-65286"])
    response = client.post(url, {"website": "ftp://lourdes", "description": "", "latitude": "43"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Adresse web invalide" in body and "latitude et la longitude" in body
    response = client.post(
        url,
        {
            "website": "https://www.lourdes.fr",
            "description": "Cité mariale.",
            "latitude": "43.1",
            "longitude": "-0.05",
        },
    )
    assert response.status_code == 302
    lourdes = Territory.objects.get(slug="lourdes-65286")
    assert lourdes.website == "https://www.lourdes.fr" and lourdes.longitude == -0.05
