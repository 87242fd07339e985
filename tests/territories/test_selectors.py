"""Selectors: filters, medium cities, hierarchy, organisations by visibility, network members."""

from __future__ import annotations

import datetime

import pytest

from mediane.territories import selectors, services
from mediane.territories.models import Territory
from mediane.territories.selectors import TerritoryFilters
from tests.accounts.factories import MembershipFactory, OrganisationFactory
from tests.territories.factories import TerritoryFactory

pytestmark = pytest.mark.django_db


def names(page):
    return [t.name for t in page]


def test_filters_from_params_ignore_bad_values():
    filters = TerritoryFilters.from_params(
        {"country": "zz", "kind": "planet", "medium_city": "1", "q": " Lou "}
    )
    assert filters.country == "" and filters.kind == "" and filters.medium_city
    assert filters.q == "Lou" and len(filters.errors) == 2


def test_list_filters(imported, secretariat):
    services.network_membership_set(
        actor=secretariat, territory=Territory.objects.get(slug="lourdes-65286"), status="active"
    )

    def run(**params):
        return names(selectors.territories_list(filters=TerritoryFilters.from_params(params)))

    assert run(country="QC", kind="municipality") == ["Acton Vale", "Béthanie", "Shawinigan"]
    assert run(medium_city="1") == ["Nevers", "Shawinigan", "Tarbes"]
    assert run(network_member="1") == ["Lourdes"]
    assert run(kind="grouping", country="FR") == ["CA de Nevers", "CA Tarbes-Lourdes-Pyrénées"]
    # Exact and prefix matches first, then the bigger places.
    assert run(q="lourdes") == ["Lourdes", "CA Tarbes-Lourdes-Pyrénées"]
    assert run(q="65286") == ["Lourdes"]
    assert run(q="65100") == ["Lourdes", "Adé"]


def test_list_pagination_tolerates_bad_page(imported):
    filters = TerritoryFilters()
    page = selectors.territories_list(filters=filters, page="abc", per_page=5)
    assert page.number == 1 and page.paginator.count == 18
    assert selectors.territories_list(filters=filters, page="999", per_page=5).number == 4


def test_medium_city_bounds_follow_settings(imported, settings):
    settings.MEDIUM_CITY_MIN = 10_000
    settings.MEDIUM_CITY_MAX = 40_000
    assert set(Territory.objects.medium_cities().values_list("name", flat=True)) == {
        "Lourdes",
        "Nevers",
    }
    assert Territory.objects.get(slug="lourdes-65286").is_medium_city
    assert not Territory.objects.get(slug="shawinigan-36033").is_medium_city
    # Only municipalities are medium cities, whatever their population.
    assert not Territory.objects.get(slug="mrc-480").is_medium_city


def test_get_and_ancestors(imported, django_assert_num_queries):
    with django_assert_num_queries(1):
        lourdes = selectors.territory_get(slug="lourdes-65286")
        chain = [t.slug for t in selectors.territory_ancestors(lourdes)]
    assert chain == ["france", "region-76", "dept-65", "epci-200069300"]
    acton = selectors.territory_get(slug="acton-vale-48028")
    assert [t.slug for t in selectors.territory_ancestors(acton)] == [
        "quebec",
        "region-qc-16",
        "mrc-480",
    ]


def test_get_unknown_slug_is_404(db):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.territory_get(slug="atlantis-00000")


def test_children(imported):
    epci = Territory.objects.get(slug="epci-200069300")
    assert names(selectors.territory_children(territory=epci)) == ["Adé", "Lourdes", "Tarbes"]
    dept = Territory.objects.get(slug="dept-65")
    kinds = [t.kind for t in selectors.territory_children(territory=dept)]
    assert kinds == ["grouping", "municipality", "municipality", "municipality"]


def test_organisations_are_located_and_visibility_filtered(imported, outsider, secretariat):
    lourdes = Territory.objects.get(slug="lourdes-65286")
    tarbes = Territory.objects.get(slug="tarbes-65440")
    public = OrganisationFactory(name="Tiers-lieu de Lourdes", territory=lourdes)
    network = OrganisationFactory(name="Réseau", territory=tarbes, visibility="network")
    private = OrganisationFactory(name="Secret", territory=lourdes, visibility="private")
    OrganisationFactory(name="Ailleurs", territory=Territory.objects.get(slug="nevers-58194"))
    member = MembershipFactory(organisation=private).user

    def seen(user, slug):
        territory = Territory.objects.get(slug=slug)
        page = selectors.territory_organisations(user=user, territory=territory)
        return {o.name for o in page}

    assert seen(None, "lourdes-65286") == {public.name}
    assert seen(outsider, "epci-200069300") == {public.name}
    assert seen(member, "epci-200069300") == {public.name, network.name, private.name}
    assert seen(secretariat, "dept-65") == {public.name, network.name, private.name}
    assert seen(secretariat, "region-76") == {public.name, network.name, private.name}
    assert seen(None, "france") == {public.name, "Ailleurs"}


def test_twinnings_of_gives_the_other_territory(imported, secretariat):
    lourdes = Territory.objects.get(slug="lourdes-65286")
    nevers = Territory.objects.get(slug="nevers-58194")
    services.twinning_create(actor=secretariat, a=lourdes, b=nevers, kind="jumelage")
    assert [t.other_territory for t in selectors.twinnings_of(lourdes)] == [nevers]
    assert [t.other_territory for t in selectors.twinnings_of(nevers)] == [lourdes]


def test_network_members(imported, secretariat):
    for slug, status, year in [
        ("nevers-58194", "founder", 2018),
        ("shawinigan-36033", "founder", 2018),
        ("lourdes-65286", "active", 2023),
        ("tarbes-65440", "former", 2019),
    ]:
        services.network_membership_set(
            actor=secretariat,
            territory=Territory.objects.get(slug=slug),
            status=status,
            member_since=datetime.date(year, 1, 1),
        )
    members = list(selectors.network_members())
    assert [t.name for t in members] == ["Nevers", "Shawinigan", "Lourdes"]
    shawinigan = members[1]
    assert shawinigan.membership_status == "founder"
    assert shawinigan.member_since == datetime.date(2018, 1, 1)
    assert (shawinigan.latitude, shawinigan.population) == (46.5667, 51820)


def test_resolve_by_slug_or_code(imported):
    assert selectors.territory_resolve("LOURDES-65286").name == "Lourdes"
    assert selectors.territory_resolve("36033").name == "Shawinigan"
    assert selectors.territory_resolve("nowhere") is None
    TerritoryFactory(country="QC", code="65286", name="Homonyme")
    assert selectors.territory_resolve("65286") is None  # ambiguous code
