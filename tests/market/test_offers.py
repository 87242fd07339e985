"""Offers: sanitised rich text, visibility, search, and references confirmed by the city only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.permissions import can
from mediane.market import selectors, services
from mediane.market.selectors import OfferFilters
from mediane.notifications.models import Notification
from mediane.search.models import SearchEntry
from tests.directory.factories import member_of
from tests.market.factories import CityFactory, offer_input


def test_offer_description_is_sanitised_and_indexed(world):
    offer = world.offer(
        description='<p>Capteurs <a href="javascript:alert(1)">lien</a><script>x</script></p>',
        sectors=[world.sector.slug],
    )
    assert "script" not in offer.description and "javascript" not in offer.description
    entry = SearchEntry.objects.get(kind="offer", object_id=offer.pk)
    assert "Tourisme test" in entry.keywords and "Flux Pyrénées" in entry.keywords
    found = selectors.offers_list_for(AnonymousUser(), OfferFilters(query="capteurs"))
    assert list(found) == [offer]


def test_draft_offer_hidden_and_not_indexed(world):
    offer = services.offer_create(
        actor=world.company_editor, organisation=world.company, data=offer_input()
    )
    assert not SearchEntry.objects.filter(kind="offer", object_id=offer.pk).exists()
    assert not can(world.outsider, "view", offer)
    assert can(world.company_member, "view", offer)
    assert list(selectors.offers_list_for(world.outsider)) == []
    assert list(selectors.offers_list_for(world.company_member)) == [offer]
    with pytest.raises(selectors.OfferNotFound):
        selectors.offer_get_for(world.outsider, slug=offer.slug)
    services.offer_set_status(actor=world.company_editor, offer=offer, status="published")
    assert SearchEntry.objects.filter(kind="offer", object_id=offer.pk).exists()
    assert selectors.offer_get_for(world.outsider, slug=offer.slug) == offer
    services.offer_delete(actor=world.company_editor, offer=offer)
    assert not SearchEntry.objects.filter(kind="offer", object_id=offer.pk).exists()


def test_offer_permissions_and_validation(world):
    with pytest.raises(PermissionDenied):
        services.offer_create(
            actor=world.company_member, organisation=world.company, data=offer_input()
        )
    with pytest.raises(ValidationFailed):  # cities publish challenges, not offers
        services.offer_create(actor=world.city_editor, organisation=world.city, data=offer_input())
    with pytest.raises(ValidationFailed) as error:
        services.offer_create(
            actor=world.company_editor,
            organisation=world.company,
            data=offer_input(title="", price_model="gratuit", target_kinds=["martien"]),
        )
    assert set(error.value.field_errors) == {"title", "price_model", "target_kinds"}
    offer = world.offer()
    with pytest.raises(PermissionDenied):
        services.offer_update(actor=world.rival_editor, offer=offer, data=offer_input())


def test_target_kind_filter(world):
    offer = world.offer(target_kinds=["collectivite", "incubateur"])
    world.offer(title="Pour les PME", target_kinds=["pme"])
    found = selectors.offers_list_for(AnonymousUser(), OfferFilters(target_kind="incubateur"))
    assert list(found) == [offer]


def test_reference_to_a_city_is_confirmed_by_that_city_only(world):
    offer = world.offer()
    reference = services.offer_reference_add(
        actor=world.company_editor, offer=offer, organisation=world.city, description="Pilote 2024"
    )
    assert not reference.is_confirmed
    assert Notification.objects.filter(
        recipient=world.city_editor, verb="reference_to_confirm"
    ).exists()
    assert list(selectors.offer_references_to_confirm(world.city_editor)) == [reference]
    for actor in (world.company_editor, world.secretariat, world.city_member, world.co_city_editor):
        with pytest.raises(PermissionDenied):
            services.offer_reference_confirm(actor=actor, reference=reference)
    services.offer_reference_confirm(actor=world.city_editor, reference=reference)
    reference.refresh_from_db()
    assert reference.is_confirmed and reference.confirmed_by == world.city_editor
    assert Notification.objects.filter(
        recipient=world.company_member, verb="reference_confirmed"
    ).exists()
    with pytest.raises(Conflict):
        services.offer_reference_add(
            actor=world.company_editor, offer=offer, organisation=world.city
        )


def test_reference_to_a_territory_is_confirmed_by_a_city_of_that_territory(world):
    offer = world.offer()
    territory = world.city.territory
    reference = services.offer_reference_add(
        actor=world.company_editor, offer=offer, territory=territory
    )
    # A company of that territory is not the city.
    neighbour = CityFactory(kind="pme", territory=territory)
    with pytest.raises(PermissionDenied):
        services.offer_reference_confirm(actor=member_of(neighbour, "admin"), reference=reference)
    services.offer_reference_confirm(actor=world.city_editor, reference=reference)
    reference.refresh_from_db()
    assert reference.is_confirmed


def test_reference_needs_exactly_one_target(world):
    offer = world.offer()
    with pytest.raises(ValidationFailed):
        services.offer_reference_add(actor=world.company_editor, offer=offer)
    with pytest.raises(ValidationFailed):
        services.offer_reference_add(
            actor=world.company_editor,
            offer=offer,
            organisation=world.city,
            territory=world.city.territory,
        )


def test_reindex_rebuilds_public_challenges_and_published_offers_only(world):
    from mediane.search.services import registered_kinds, reindex

    assert {"challenge", "offer"} <= set(registered_kinds())
    opened = world.open_challenge()
    world.draft(title="Brouillon")
    offer = world.offer()
    services.offer_create(
        actor=world.company_editor, organisation=world.company, data=offer_input(title="Projet")
    )
    SearchEntry.objects.filter(kind__in=["challenge", "offer"]).delete()
    assert reindex(["challenge", "offer"]) == 2
    assert set(SearchEntry.objects.values_list("kind", "object_id")) >= {
        ("challenge", opened.pk),
        ("offer", offer.pk),
    }
    assert SearchEntry.objects.filter(kind__in=["challenge", "offer"]).count() == 2
