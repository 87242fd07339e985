"""The in-process facet index answers exactly like SQL (test_facet_index_writes.py: it follows
every write path)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Count

from mediane.directory import selectors, services
from mediane.directory.models import Organisation, Sector
from mediane.directory.selectors import DirectoryFilters
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


def _create_many(secretariat):
    """Thirty organisations made through the service, mixed kinds, places, sectors, visibility."""
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


@pytest.fixture(scope="module")
def _many_rows(django_db_setup, django_db_blocker):
    """The thirty organisations, made once for the module (every test here only reads them) in
    a transaction rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _create_many(UserFactory(is_secretariat=True))
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def many(_many_rows, settings):
    """Every test of the module sees the thirty organisations, four to a page."""
    settings.PAGE_SIZE = 4
    return _many_rows


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


@pytest.mark.parametrize("who", ["anonymous", "member", "secretariat"])
def test_visible_among_keeps_the_order_and_the_rule_of_visible_q(many, secretariat, who):
    from mediane.core.permissions import visible_q

    user = {"anonymous": ANON, "member": member_of(many[3]), "secretariat": secretariat}[who]
    ids = [o.pk for o in reversed(many)] + [10**9, -1]  # unknown ids are dropped
    allowed = set(Organisation.objects.filter(visible_q(user)).values_list("pk", flat=True))
    expected = [pk for pk in ids if pk in allowed]
    assert selectors.organisations_visible_among(user=user, ids=ids) == expected
    assert selectors.organisations_visible_among(user=user, ids=ids, limit=3) == expected[:3]
