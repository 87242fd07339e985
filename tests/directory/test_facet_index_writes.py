"""The in-process facet index follows every write path (test_facet_index.py: it answers exactly
like SQL)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from mediane.directory import selectors, services
from mediane.directory.inputs import OrganisationInput
from mediane.directory.models import Organisation, Sector
from mediane.directory.selectors import DirectoryFilters
from mediane.search.services import reindex
from tests.directory.factories import (
    TerritoryFactory,
    UserFactory,
    member_of,
    network_member,
    org_input,
)

pytestmark = pytest.mark.django_db
ANON = AnonymousUser()


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
