import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from mediane.core.errors import NotFound
from mediane.directory import selectors, services
from mediane.directory.models import Sector
from mediane.directory.selectors import DirectoryFilters
from tests.directory.factories import (
    DepartementFactory,
    ExpertFactory,
    OrganisationFactory,
    TerritoryFactory,
    UserFactory,
    member_of,
    network_member,
    org_input,
)

pytestmark = pytest.mark.django_db
ANON = AnonymousUser()


@pytest.fixture
def world():
    """Two départements, a medium city in the network, a small town, organisations of each kind."""
    hautes_pyrenees = DepartementFactory(name="Hautes-Pyrénées", slug="hautes-pyrenees")
    nievre = DepartementFactory(name="Nièvre", slug="nievre")
    nevers = TerritoryFactory(name="Nevers", slug="nevers", parent=nievre, population=33_000)
    lourdes = TerritoryFactory(
        name="Lourdes", slug="lourdes", parent=hautes_pyrenees, population=13_000
    )
    shawinigan = TerritoryFactory(
        name="Shawinigan", slug="shawinigan", country="QC", population=51_000
    )
    network_member(nevers)
    network_member(shawinigan, status="founder")
    wool = Sector.objects.get(slug="laine-textile")
    health = Sector.objects.get(slug="sante")
    orgs = {
        "inkub": OrganisationFactory(
            name="Inkub", kind="incubateur", territory=nevers, sectors=[health]
        ),
        "laine": OrganisationFactory(
            name="Laines", kind="startup", territory=lourdes, sectors=[wool]
        ),
        "tissage": OrganisationFactory(
            name="Tissage", kind="pme", territory=lourdes, sectors=[wool, health]
        ),
        "kemitek": OrganisationFactory(
            name="Kemitek", kind="recherche", country="QC", territory=shawinigan
        ),
        "hidden": OrganisationFactory(
            name="Secrète", kind="startup", territory=nevers, visibility="private", sectors=[wool]
        ),
        "members": OrganisationFactory(name="Réseau seul", kind="startup", visibility="network"),
    }
    return orgs


def names(page):
    return [o.name for o in page.results]


def test_anonymous_sees_public_only_with_facets(world):
    page = selectors.organisations_search(user=ANON, filters=DirectoryFilters())
    assert names(page) == ["Inkub", "Kemitek", "Laines", "Tissage"]
    assert page.total == 4
    counts = {o.value: o.count for o in page.facets["kind"].options}
    assert counts["startup"] == 1 and counts["pme"] == 1 and counts["association"] == 0
    assert {o.value: o.count for o in page.facets["country"].options} == {"FR": 3, "QC": 1}
    sectors = {o.value: o.count for o in page.facets["sector"].options}
    assert sectors["laine-textile"] == 2 and sectors["sante"] == 2
    territories = {o.value: o.count for o in page.facets["territory"].options}
    assert territories == {"hautes-pyrenees": 2, "nievre": 1, "shawinigan": 1}
    assert page.facets["medium_city"].options[0].count == 2  # Nevers and Shawinigan
    assert page.facets["network_member"].options[0].count == 2


def test_filters_combine_and_facets_ignore_their_own_filter(world):
    filters = DirectoryFilters(kinds=("startup", "pme"), sectors=("laine-textile",))
    page = selectors.organisations_search(user=ANON, filters=filters)
    assert names(page) == ["Laines", "Tissage"]
    kinds = {o.value: (o.count, o.selected) for o in page.facets["kind"].options}
    assert kinds["startup"] == (1, True)
    assert kinds["incubateur"] == (0, False)  # Inkub has no wool
    sectors = {o.value: o.count for o in page.facets["sector"].options}
    assert sectors["sante"] == 1  # among start-ups and SMEs: Tissage


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (DirectoryFilters(countries=("QC",)), ["Kemitek"]),
        (DirectoryFilters(territories=("hautes-pyrenees",)), ["Laines", "Tissage"]),
        (DirectoryFilters(territories=("lourdes",)), ["Laines", "Tissage"]),
        (DirectoryFilters(medium_city=True), ["Inkub", "Kemitek"]),
        (DirectoryFilters(network_member=True), ["Inkub", "Kemitek"]),
        (DirectoryFilters(network_member=True, countries=("FR",)), ["Inkub"]),
    ],
)
def test_each_filter(world, filters, expected):
    assert names(selectors.organisations_search(user=ANON, filters=filters)) == expected


def test_unknown_filter_values_are_ignored_with_a_message(world):
    filters = DirectoryFilters.from_params(
        {
            "kind": ["zzz"],
            "sector": ["999"],
            "country": ["XX"],
            "territory": ["nulle-part"],
            "page": "abc",
        }
    )
    page = selectors.organisations_search(user=ANON, filters=filters)
    assert page.total == 4
    assert page.page == 1
    assert len(page.warnings) == 4
    assert any("zzz" in w for w in page.warnings)


def test_full_text_query_uses_the_search_index(world, secretariat):
    organisation = services.organisation_create(
        actor=secretariat, data=org_input(name="Filature", description="<p>Laine mérinos</p>")
    )
    page = selectors.organisations_search(user=ANON, query="mérinos", filters=DirectoryFilters())
    assert page.results == [organisation]
    assert page.total == 1
    assert {o.value: o.count for o in page.facets["kind"].options}["startup"] == 1


def test_private_search_hits_do_not_leak(secretariat):
    services.organisation_create(
        actor=secretariat, data=org_input(name="Secret mérinos", visibility="private")
    )
    page = selectors.organisations_search(user=ANON, query="mérinos", filters=DirectoryFilters())
    assert page.total == 0 and page.results == []


def test_visibility_for_members_network_and_secretariat(world, secretariat):
    insider = member_of(world["hidden"], "member")
    outsider_member = member_of(world["inkub"], "member")
    assert "Secrète" in names(selectors.organisations_search(user=insider))
    assert "Réseau seul" in names(selectors.organisations_search(user=insider))
    other = names(selectors.organisations_search(user=outsider_member))
    assert "Secrète" not in other and "Réseau seul" in other
    loner = names(selectors.organisations_search(user=UserFactory()))
    assert "Réseau seul" not in loner
    assert selectors.organisations_search(user=secretariat).total == 6


def test_private_detail_and_export_are_hidden(world):
    with pytest.raises(Http404):
        selectors.organisation_get_for(user=ANON, slug=world["hidden"].slug)
    with pytest.raises(NotFound):
        selectors.organisation_get_for(user=UserFactory(), slug=world["hidden"].slug)
    insider = member_of(world["hidden"])
    assert (
        selectors.organisation_get_for(user=insider, slug=world["hidden"].slug) == world["hidden"]
    )
    exported = [o.name for o in selectors.organisations_export(user=ANON)]
    assert "Secrète" not in exported and len(exported) == 4


def test_pagination_clamps_to_last_page(settings):
    settings.PAGE_SIZE = 2
    OrganisationFactory.create_batch(5)
    page = selectors.organisations_search(user=ANON, filters=DirectoryFilters(page=2))
    assert page.num_pages == 3 and len(page.results) == 2 and page.has_next
    page = selectors.organisations_search(user=ANON, filters=DirectoryFilters(page=50))
    assert page.page == 3 and len(page.results) == 1 and page.warnings
    assert page.page_range() == [1, 2, 3]


def test_facet_cache_sees_new_organisations(world):
    assert selectors.organisations_search(user=ANON).total == 4
    OrganisationFactory(name="Nouvelle")
    assert selectors.organisations_search(user=ANON).total == 5


def test_experts_visibility_and_filters(world):
    public = ExpertFactory(name="Alice", organisation=world["inkub"], languages="fr,en")
    ExpertFactory(name="Bob", organisation=world["hidden"], visibility="private")
    person = UserFactory()
    own = ExpertFactory(name="Chloé", visibility="private", user=person)
    assert names(selectors.experts_search(user=ANON)) == ["Alice"]
    assert names(selectors.experts_search(user=person)) == ["Alice", "Chloé"]
    page = selectors.experts_search(user=ANON, filters=selectors.ExpertFilters(languages=("en",)))
    assert page.results == [public]
    assert selectors.expert_get_for(user=person, slug=own.slug) == own
    with pytest.raises(Http404):
        selectors.expert_get_for(user=ANON, slug=own.slug)


def test_experts_full_text_and_facets(user, secretariat):
    from mediane.directory.inputs import ExpertInput

    services.expert_create(
        actor=secretariat,
        data=ExpertInput(name="Cabinet Données", kind="firm", skills=["Open data"]),
    )
    services.expert_create(
        actor=secretariat, data=ExpertInput(name="Zoé", skills=["Open data", "Cybersécurité"])
    )
    page = selectors.experts_search(user=ANON, query="données")
    assert names(page) == ["Cabinet Données"]
    page = selectors.experts_search(user=ANON, filters=selectors.ExpertFilters(kinds=("firm",)))
    assert names(page) == ["Cabinet Données"]
    kinds = {o.value: (o.count, o.selected) for o in page.facets["kind"].options}
    assert kinds == {"person": (1, False), "firm": (1, True)}
    skills = {o.label: o.count for o in selectors.experts_search(user=ANON).facets["skill"].options}
    assert skills == {"Open data": 2, "Cybersécurité": 1}


def test_network_membership_change_shows_without_waiting(world):
    from mediane.territories.models import NetworkMembership

    filters = DirectoryFilters(network_member=True)
    assert names(selectors.organisations_search(user=ANON, filters=filters)) == ["Inkub", "Kemitek"]
    NetworkMembership.objects.filter(territory__slug="nevers").update(status="former")
    NetworkMembership.objects.create(territory=world["laine"].territory)
    page = selectors.organisations_search(user=ANON, filters=filters)
    assert names(page) == ["Kemitek", "Laines", "Tissage"]
    assert page.facets["network_member"].options[0].count == 3


@pytest.mark.parametrize(
    ("who", "wool", "health"),
    [("anonymous", 2, 2), ("insider", 3, 2), ("outsider_member", 2, 2), ("secretariat", 3, 2)],
)
def test_sector_counts_follow_visibility(world, secretariat, who, wool, health):
    users = {
        "anonymous": ANON,
        "insider": member_of(world["hidden"]),
        "outsider_member": member_of(world["inkub"]),
        "secretariat": secretariat,
    }
    for filters in (DirectoryFilters(), DirectoryFilters(sectors=("sante",))):
        page = selectors.organisations_search(user=users[who], filters=filters)
        sectors = {o.value: o.count for o in page.facets["sector"].options}
        assert (sectors["laine-textile"], sectors["sante"]) == (wool, health)
    page = selectors.organisations_search(
        user=users[who], filters=DirectoryFilters(countries=("FR",))
    )
    assert {o.value: o.count for o in page.facets["sector"].options}["laine-textile"] == wool
