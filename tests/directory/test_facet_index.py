"""The in-process facet index answers exactly like SQL, and follows every write path."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count

from mediane.directory import selectors, services
from mediane.directory.inputs import OrganisationInput
from mediane.directory.models import Organisation, Sector
from mediane.directory.selectors import DirectoryFilters
from mediane.search.services import reindex
from tests.directory.factories import (
    DepartementFactory,
    TerritoryFactory,
    UserFactory,
    member_of,
    network_member,
    org_input,
)

pytestmark = pytest.mark.django_db
ANON = AnonymousUser()


@pytest.fixture
def many(secretariat, settings):
    """Thirty organisations made through the service, mixed kinds, places, sectors, visibility."""
    settings.PAGE_SIZE = 4
    nievre = DepartementFactory(name="Nièvre", slug="nievre")
    nevers = TerritoryFactory(name="Nevers", slug="nevers", parent=nievre, population=33_000)
    village = TerritoryFactory(name="Varennes", slug="varennes", parent=nievre, population=900)
    shawinigan = TerritoryFactory(
        name="Shawinigan", slug="shawinigan", country="QC", population=51_000
    )
    network_member(shawinigan)
    sectors = list(Sector.objects.order_by("pk")[:4])
    places = [(nevers, "FR"), (village, "FR"), (shawinigan, "QC"), (None, "FR")]
    kinds = ["startup", "pme", "incubateur"]
    visibilities = ["public", "public", "network", "private"]
    words = ["laine mérinos", "santé connectée", "laine et santé"]
    created = []
    for i in range(30):
        territory, country = places[i % 4]
        created.append(
            services.organisation_create(
                actor=secretariat,
                data=org_input(
                    name=f"{'Laine' if i % 5 == 0 else 'Atelier'} {30 - i % 7} {i}",
                    kind=kinds[i % 3],
                    country=country,
                    territory_id=territory.pk if territory else None,
                    description=f"<p>{words[i % 3]}</p>",
                    visibility=visibilities[i % 4],
                    sector_slugs=[s.slug for s in sectors[: 1 + i % 3]],
                ),
            )
        )
    return created


def _sql_reference(user, query, filters):
    """Total, ordered names and facet counts computed by SQL, as the export does."""
    resolved = selectors._resolve(filters, selectors.sectors_list())
    base = selectors._visible_organisations(user, query)
    full = selectors._apply(base, resolved)
    names = [
        o.name for o in selectors.organisations_export(user=user, query=query, filters=filters)
    ]

    def group(skip, field):
        qs = selectors._apply(base, resolved, skip=skip).order_by().values_list(field)
        return {k: n for k, n in qs.annotate(n=Count("pk")) if k is not None}

    return {
        "total": full.count(),
        "names": names,
        "country": group("country", "country"),
        "kind": group("kind", "kind"),
        "sector": {Sector.objects.get(pk=k).slug: n for k, n in group("sector", "sectors").items()},
        "network": selectors._apply(base, resolved, skip="network_member")
        .filter(territory__network_membership__status="active")
        .count(),
        "medium": selectors._apply(base, resolved, skip="medium_city")
        .filter(territory__slug__in=["nevers", "shawinigan"])
        .count(),
    }


def _page_answer(user, query, filters):
    pages, names = [], []
    first = selectors.organisations_search(user=user, query=query, filters=filters)
    for number in range(1, first.num_pages + 1):
        page = selectors.organisations_search(
            user=user, query=query, filters=DirectoryFilters(**{**vars(filters), "page": number})
        )
        pages.append(page)
        names += [o.name for o in page.results]
    counts = {
        name: {o.value: o.count for o in first.facets[name].options if o.count}
        for name in ("country", "kind", "sector")
    }
    return {
        "total": first.total,
        "names": names,
        **counts,
        "network": first.facets["network_member"].options[0].count,
        "medium": first.facets["medium_city"].options[0].count,
    }


@pytest.mark.parametrize("query", ["", "laine", "lain", "atelier laine"])
@pytest.mark.parametrize(
    "filters",
    [
        DirectoryFilters(),
        DirectoryFilters(countries=("QC",)),
        DirectoryFilters(kinds=("pme", "startup"), sectors=("sante",)),
        DirectoryFilters(medium_city=True, countries=("FR",)),
        DirectoryFilters(network_member=True),
        DirectoryFilters(territories=("nievre",), kinds=("startup",)),
    ],
)
@pytest.mark.parametrize("who", ["anonymous", "member", "secretariat"])
def test_index_answers_like_sql(many, secretariat, query, filters, who):
    users = {"anonymous": ANON, "member": member_of(many[3]), "secretariat": secretariat}
    user = users[who]
    assert _page_answer(user, query, filters) == _sql_reference(user, query, filters)


@pytest.mark.parametrize("query", ["laine", "santé", "lain", "zzz"])
def test_index_answers_like_sql_past_the_rank_cap(many, secretariat, monkeypatch, query):
    """Large match sets rank by title tier inside the full-text index (SQLite): same answer."""
    monkeypatch.setattr("mediane.search.backends.sqlite.RANK_CAP", 3)
    for user in (ANON, secretariat):
        for filters in (DirectoryFilters(), DirectoryFilters(sectors=("sante",))):
            assert _page_answer(user, query, filters) == _sql_reference(user, query, filters)


def _total(user=ANON, **filters):
    return selectors.organisations_search(user=user, filters=DirectoryFilters(**filters)).total


def _found(query, user=ANON):
    page = selectors.organisations_search(user=user, query=query)
    return sorted(o.name for o in page.results)


def test_index_follows_every_write_path(secretariat):
    """No cache clearing between writes: the fingerprint alone must rebuild the index."""
    wool = Sector.objects.get(slug="laine-textile")
    organisation = services.organisation_create(
        actor=secretariat, data=org_input(name="Filature", sector_slugs=[wool.slug])
    )
    assert _found("filature") == ["Filature"]
    assert _total(sectors=("laine-textile",)) == 1

    data = OrganisationInput.from_organisation(organisation)
    data.visibility = "private"
    data.sector_slugs = ["sante"]
    services.organisation_update(actor=secretariat, organisation=organisation, data=data)
    assert _found("filature") == [] and _total() == 0
    assert _total(user=secretariat, sectors=("sante",)) == 1
    assert _total(user=secretariat, sectors=("laine-textile",)) == 0
    assert _found("filature", user=member_of(organisation)) == ["Filature"]

    data.visibility = "public"
    data.name = "Tissage"
    services.organisation_update(actor=secretariat, organisation=organisation, data=data)
    assert _found("filature") == [] and _found("tissage") == ["Tissage"]

    reindex(kinds=["organisation"], progress=None)  # new search entry ids
    assert _found("tissage") == ["Tissage"]

    services.organisation_delete(actor=secretariat, organisation=organisation)
    assert _found("tissage") == [] and _total() == 0
    assert not Organisation.objects.exists()


def test_index_follows_territory_changes(secretariat):
    town = TerritoryFactory(name="Nevers", slug="nevers", population=33_000)
    services.organisation_create(
        actor=secretariat, data=org_input(name="Inkub", territory_id=town.pk)
    )
    assert _total(network_member=True) == 0
    network_member(town)
    assert _total(network_member=True) == 1
    assert _total(user=UserFactory(), medium_city=True) == 1


@pytest.mark.parametrize("who", ["anonymous", "member", "secretariat"])
def test_visible_among_keeps_the_order_and_the_rule_of_visible_q(many, secretariat, who):
    from mediane.core.permissions import visible_q

    user = {"anonymous": ANON, "member": member_of(many[3]), "secretariat": secretariat}[who]
    ids = [o.pk for o in reversed(many)] + [10**9, -1]  # unknown ids are dropped
    allowed = set(Organisation.objects.filter(visible_q(user)).values_list("pk", flat=True))
    expected = [pk for pk in ids if pk in allowed]
    assert selectors.organisations_visible_among(user=user, ids=ids) == expected
    assert selectors.organisations_visible_among(user=user, ids=ids, limit=3) == expected[:3]
