"""The directory page keeps rendered facet sidebars and result cards per index version: they
must never outlive a write, cross readers of different visibility, or mix languages."""

import re

import pytest
from django.test import Client

from mediane.directory import services
from mediane.directory.inputs import OrganisationInput
from tests.directory.factories import org_input

pytestmark = pytest.mark.django_db


def _cards(html: str) -> list[str]:
    return re.findall(r'class="card-link" href="[^"]+">([^<]+)</a>', html)


def _count(html: str, facet: str, value: str) -> str:
    match = re.search(
        rf'name="{facet}" value="{value}"[^>]*>\s*<label[^>]*>[^<]*<span class="count">\(([^)]+)\)',
        html,
    )
    assert match, f"no {facet}={value} option"
    return match.group(1)


@pytest.fixture
def orgs(secretariat):
    return [
        services.organisation_create(
            actor=secretariat,
            data=org_input(name=name, kind="startup", description="<p>laine</p>", visibility=vis),
        )
        for name, vis in [
            ("Laine Alpha", "public"),
            ("Laine Beta", "public"),
            ("Laine Secret", "private"),
        ]
    ]


def test_a_write_refreshes_cached_cards_and_sidebar(client, orgs, secretariat):
    first = client.get("/annuaire/?q=laine").content.decode()
    assert sorted(_cards(first)) == ["Laine Alpha", "Laine Beta"]
    assert _count(first, "kind", "startup") == "2"
    again = client.get("/annuaire/?q=laine").content.decode()
    body = re.compile(r'<div id="directory-body".*</section>', re.S)
    assert body.search(again).group(0) == body.search(first).group(0)  # type: ignore[union-attr]

    alpha = orgs[0]
    data = OrganisationInput.from_organisation(alpha)
    data.name = "Laine Gamma"
    data.kind = "pme"
    services.organisation_update(actor=secretariat, organisation=alpha, data=data)
    after = client.get("/annuaire/?q=laine").content.decode()
    assert sorted(_cards(after)) == ["Laine Beta", "Laine Gamma"]
    assert _count(after, "kind", "startup") == "1"
    assert _count(after, "kind", "pme") == "1"


def test_fragments_do_not_cross_visibility(client, orgs, secretariat):
    anonymous = client.get("/annuaire/?q=laine").content.decode()
    staff = Client()
    staff.force_login(secretariat)
    seen = staff.get("/annuaire/?q=laine").content.decode()
    assert "Laine Secret" in _cards(seen) and _count(seen, "kind", "startup") == "3"
    anonymous_again = client.get("/annuaire/?q=laine").content.decode()
    assert "Laine Secret" not in _cards(anonymous_again)
    assert _count(anonymous_again, "kind", "startup") == _count(anonymous, "kind", "startup") == "2"


def test_fragments_follow_the_language(client, orgs):
    french = client.get("/annuaire/?q=laine").content.decode()
    assert "Type d&#x27;organisation" in french or "Type d'organisation" in french
    client.cookies["django_language"] = "en"
    english = client.get("/annuaire/?q=laine").content.decode()
    assert "Type of organisation" in english or "Organisation type" in english
    assert "Start-up" in english or "Startup" in english


def test_the_fingerprint_is_read_once_per_interval_and_dropped_by_writes(
    client, orgs, secretariat, monkeypatch, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mediane.directory import facet_index

    monkeypatch.setattr(facet_index, "FINGERPRINT_SECONDS", 3600.0)
    client.get("/annuaire/?q=laine")
    with CaptureQueriesContext(connection) as queries:
        client.get("/annuaire/?q=laine")
    assert not [q for q in queries if "COUNT(*)" in q["sql"] and "MAX(" in q["sql"]]

    services.organisation_create(
        actor=secretariat,
        data=org_input(name="Laine Delta", kind="startup", description="<p>laine</p>"),
    )
    after = client.get("/annuaire/?q=laine").content.decode()
    assert "Laine Delta" in _cards(after)  # a write of this process is seen at once


def test_sector_badges_follow_the_language(client, secretariat):
    services.organisation_create(
        actor=secretariat,
        data=org_input(name="Laine Santé", kind="startup", sector_slugs=["sante"]),
    )
    assert (
        '<span class="badge badge-sector">Santé</span>' in client.get("/annuaire/").content.decode()
    )
    client.cookies["django_language"] = "en"
    english = client.get("/annuaire/").content.decode()
    assert '<span class="badge badge-sector">Health</span>' in english


def test_the_sidebar_escapes_what_it_shows(client, secretariat):
    from tests.directory.factories import SectorFactory

    sector = SectorFactory(slug="art-test", name='Art & <script>alert("x")</script>')
    services.organisation_create(
        actor=secretariat,
        data=org_input(name="Atelier Laine", kind="startup", sector_slugs=[sector.slug]),
    )
    html = client.get("/annuaire/?q=laine").content.decode()
    assert "<script>alert" not in html
    assert "Art &amp; &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert _count(html, "sector", "art-test") == "1"


def test_the_clear_link_shows_only_with_a_query_or_a_filter(client, orgs):
    assert "Tout effacer" not in client.get("/annuaire/").content.decode()
    assert "Tout effacer" in client.get("/annuaire/?q=laine").content.decode()
    assert "Tout effacer" in client.get("/annuaire/?kind=startup").content.decode()


def test_counts_are_grouped_by_thousands_in_the_reader_language(client, orgs, settings):
    from types import SimpleNamespace

    from django.utils import translation

    from mediane.directory.selectors import DirectoryFilters, Facet, FacetOption
    from mediane.directory.templatetags.directory import facets_html

    page = SimpleNamespace(
        facets={"kind": Facet("kind", "Type", [FacetOption("startup", "Start-up", 12345, True)])},
        filters=DirectoryFilters(),
        query="",
    )
    with translation.override("en"):
        english = facets_html(page)
    with translation.override("fr"):
        french = facets_html(page)
    assert '<span class="count">(12,345)</span>' in english
    assert '<span class="count">(12\xa0345)</span>' in french  # as humanize's intcomma
    assert 'name="kind" value="startup" checked' in french


def test_a_new_or_renamed_sector_shows_at_once(client, orgs, monkeypatch):
    from mediane.directory import facet_index
    from tests.directory.factories import SectorFactory

    monkeypatch.setattr(facet_index, "FINGERPRINT_SECONDS", 3600.0)
    client.get("/annuaire/?q=laine")
    sector = SectorFactory(slug="nouveau-secteur", name="Nouveau secteur")
    html = client.get("/annuaire/?sector=nouveau-secteur").content.decode()
    assert "inconnu" not in html  # the new sector is a known filter at once
    assert 'value="nouveau-secteur" checked' in html
    sector.name = "Secteur renommé"
    sector.save()
    assert "Secteur renommé" in client.get("/annuaire/?sector=nouveau-secteur").content.decode()


def test_a_card_escapes_and_shows_its_badges(client, secretariat):
    services.organisation_create(
        actor=secretariat,
        data=org_input(
            name='Laine <script>alert("x")</script> & fils',
            kind="startup",
            visibility="network",
            sector_slugs=["sante"],
            summary="Filature <b>locale</b>",
        ),
    )
    staff = Client()
    staff.force_login(secretariat)
    html = staff.get("/annuaire/?q=laine").content.decode()
    assert "<script>alert" not in html and "<b>locale" not in html
    assert "Laine &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; fils</a>" in html
    assert "<p>Filature &lt;b&gt;locale&lt;/b&gt;</p>" in html
    assert '<span class="badge badge-kind">Start-up</span>' in html
    assert '<span class="badge badge-visibility">' in html
    assert '<span class="badge badge-sector">Santé</span>' in html


def test_reading_the_territory_map_again_keeps_the_index_unless_it_changed(client, orgs):
    from mediane.directory import selectors
    from tests.directory.factories import TerritoryFactory

    town = TerritoryFactory(population=5_000)
    client.get("/annuaire/?q=laine")
    index = selectors._index()
    selectors.forget_territory_map()  # as when TERRITORY_MAP_SECONDS have passed
    assert selectors._index() is index  # same content: the index, its caches and fragments stay
    town.population = 50_000  # now a medium-sized city: the flags of the index change
    town.save()
    selectors.forget_territory_map()
    assert selectors._index() is not index


def test_a_forgotten_territory_map_is_read_again_just_after_boot(client, orgs, monkeypatch):
    """time.monotonic() counts from boot: a moment ago it read 10 s, which is not "fresh"."""
    from mediane.directory import selectors
    from tests.directory.factories import TerritoryFactory

    monkeypatch.setattr(selectors.time, "monotonic", lambda: 10.0)
    selectors.forget_territory_map()
    town = TerritoryFactory(population=50_000)
    selectors._territory_infos(set())  # as the facet index asks: "is the map fresh?"
    assert selectors._territory_map[town.pk].medium
    town.population = 5_000
    town.save()
    selectors.forget_territory_map()
    selectors._territory_infos(set())
    assert not selectors._territory_map[town.pk].medium
