"""Filing, routing, take-over and decline, news, closing — through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from mediane.core.errors import Conflict, ValidationFailed
from mediane.notifications.models import Notification
from mediane.support import services
from mediane.support.models import OfferStatus, SupportOffer, SupportRequest, SupportStatus
from tests.support.conftest import T0


def file(world, **overrides):
    data = services.SupportRequestInput(
        subject="Ouvrir nos données de transport",
        description="Nous voulons publier les horaires de bus en données ouvertes.",
        territory_id=world.city.pk,
        language="fr",
        skill_ids=[world.data.pk],
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return services.support_request_file(
        actor=world.requester, organisation=world.city_org, data=data, now=T0
    )


def offered(request):
    return list(
        request.offers.order_by("-score", "expert__name").values_list("expert__name", "status")
    )


def test_filing_routes_to_the_best_experts_by_skills_territory_and_language(world):
    request = file(world)
    assert request.status == SupportStatus.ROUTED
    # Top 3: same city (1.0), same département (0.6), same region (0.4); the English-only and
    # the Québec experts are left out (language, territory).
    assert offered(request) == [
        ("Locale", "offered"),
        ("Départementale", "offered"),
        ("Régionale", "offered"),
    ]
    local = request.offers.get(expert=world.local_expert)
    assert local.score == 1.0
    assert "sert ce territoire" in local.reasons
    assert Notification.objects.filter(
        recipient=world.local_user, topic="support", verb="offered"
    ).exists()
    assert request.events.filter(kind="routed").exists()


def test_filing_in_english_goes_to_english_speakers(world):
    request = file(world, language="en")
    assert {name for name, _status in offered(request)} == {"English"}


def test_filing_needs_membership_a_city_or_company_and_valid_fields(world):
    data = services.SupportRequestInput(subject="x", description="y", territory_id=world.city.pk)
    with pytest.raises(PermissionDenied):
        services.support_request_file(actor=world.outsider, organisation=world.city_org, data=data)
    with pytest.raises(ValidationFailed) as error:
        services.support_request_file(actor=world.requester, organisation=world.city_org, data=data)
    assert set(error.value.field_errors) == {"description"}
    empty = services.SupportRequestInput()
    with pytest.raises(ValidationFailed) as error:
        services.support_request_file(
            actor=world.requester, organisation=world.city_org, data=empty
        )
    assert {"subject", "description", "territory"} <= set(error.value.field_errors)
    assert not SupportRequest.objects.exists()


def test_nobody_matching_leaves_the_request_new_for_the_secretariat(world):
    request = file(world, skill_ids=[world.textile.pk])
    assert request.status == SupportStatus.NEW
    assert not request.offers.exists()
    assert Notification.objects.filter(recipient=world.secretariat, verb="unrouted").exists()


def test_first_expert_to_take_wins_and_the_other_offers_are_withdrawn(world):
    request = file(world)
    stale_copy = SupportRequest.objects.get(pk=request.pk)
    offer = services.support_offer_take(actor=world.dep_user, request=request, now=T0)
    assert offer.status == OfferStatus.TAKEN
    request.refresh_from_db()
    assert request.status == SupportStatus.TAKEN
    assert request.expert == world.dep_expert
    assert request.offers.get(expert=world.local_expert).status == OfferStatus.WITHDRAWN
    # The other expert, working from a page loaded before, loses cleanly.
    with pytest.raises((Conflict, PermissionDenied)):
        services.support_offer_take(actor=world.local_user, request=stale_copy, now=T0)
    assert request.offers.filter(status=OfferStatus.TAKEN).count() == 1
    assert Notification.objects.filter(recipient=world.requester, verb="taken").exists()
    assert Notification.objects.filter(recipient=world.local_user, verb="withdrawn").exists()


def test_take_is_refused_by_the_conditional_update_when_another_took_meanwhile(world):
    """Simulates the race: the request row changed after the page was read but before the
    expert's take; the rule still sees the pending offer, the conditional update does not."""
    request = file(world)
    SupportRequest.objects.filter(pk=request.pk).update(
        status=SupportStatus.TAKEN, expert=world.dep_expert, taken_at=T0
    )
    with pytest.raises(Conflict):
        services.support_offer_take(actor=world.local_user, request=request, now=T0)
    assert not request.offers.filter(status=OfferStatus.TAKEN).exists()


def test_the_database_refuses_two_taken_offers(world):
    request = file(world)
    first, second = list(request.offers.all()[:2])
    SupportOffer.objects.filter(pk=first.pk).update(status=OfferStatus.TAKEN)
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportOffer.objects.filter(pk=second.pk).update(status=OfferStatus.TAKEN)


def test_only_an_offered_expert_answers(world):
    request = file(world)
    for user in (world.outsider, world.requester, world.firm_editor):
        with pytest.raises(PermissionDenied):
            services.support_offer_take(actor=user, request=request)


def test_decline_needs_a_reason_and_the_next_experts_are_offered_when_all_declined(world):
    request = file(world)
    with pytest.raises(ValidationFailed) as error:
        services.support_offer_decline(actor=world.local_user, request=request, reason="  ")
    assert "reason" in error.value.field_errors
    services.support_offer_decline(actor=world.local_user, request=request, reason="Pas le temps")
    # One expert declined, two still pending: nobody new.
    assert request.offers.count() == 3
    assert request.offers.get(expert=world.local_expert).decline_reason == "Pas le temps"
    # The declined expert no longer reads the request.
    from mediane.core.permissions import can

    assert not can(world.local_user, "view", request)
    SupportOffer.objects.filter(request=request, status="offered").update(
        status="declined", decline_reason="Non"
    )
    # The firm's expert speaks French but serves nowhere: nobody left, back to the secretariat.
    SupportOffer.objects.filter(request=request, expert=world.dep_expert).update(status="offered")
    services.support_offer_decline(actor=world.dep_user, request=request, reason="Hors sujet")
    request.refresh_from_db()
    assert request.status == SupportStatus.NEW
    assert request.events.filter(kind="unrouted").exists()


def test_decline_offers_the_next_best_expert(world):
    request = file(world)
    # A fourth expert in the same département, not in the first round of three.
    from tests.accounts.factories import ExpertFactory

    fourth = ExpertFactory(name="Quatrième", organisation=None, languages="fr")
    fourth.skills.set([world.data])
    fourth.territories_served.set([world.far_city])
    SupportOffer.objects.filter(request=request).exclude(expert=world.local_expert).update(
        status="declined", decline_reason="Non"
    )
    services.support_offer_decline(actor=world.local_user, request=request, reason="Indisponible")
    assert request.offers.get(expert=fourth).status == OfferStatus.OFFERED
    request.refresh_from_db()
    assert request.status == SupportStatus.ROUTED


def test_secretariat_routes_by_hand_and_nobody_else(world):
    request = file(world, skill_ids=[world.textile.pk])
    with pytest.raises(PermissionDenied):
        services.support_request_route(
            actor=world.requester, request=request, expert_ids=[world.firm_expert.pk]
        )
    offers = services.support_request_route(
        actor=world.secretariat, request=request, expert_ids=[world.firm_expert.pk]
    )
    assert [o.expert for o in offers] == [world.firm_expert]
    assert offers[0].is_manual
    request.refresh_from_db()
    assert request.status == SupportStatus.ROUTED
    # The firm's editor acts for the firm's expert.
    assert Notification.objects.filter(recipient=world.firm_editor, verb="offered").exists()
    services.support_offer_take(actor=world.firm_editor, request=request)
    request.refresh_from_db()
    assert request.expert == world.firm_expert
    with pytest.raises(Conflict):
        services.support_request_route(actor=world.secretariat, request=request)


def test_messages_update_last_activity_and_closing_records_outcome_and_satisfaction(world):
    request = file(world)
    services.support_offer_take(actor=world.local_user, request=request, now=T0)
    later = T0 + timedelta(days=3)
    services.support_message_post(
        actor=world.local_user, request=request, body="Bonjour, je vous appelle.", now=later
    )
    request.refresh_from_db()
    assert request.last_activity_at == later
    assert request.messages.get().author_role == "expert"
    assert Notification.objects.filter(recipient=world.requester, verb="message").exists()
    with pytest.raises(PermissionDenied):
        services.support_message_post(actor=world.dep_user, request=request, body="Moi aussi")
    with pytest.raises(PermissionDenied):
        services.support_request_close(
            actor=world.local_user, request=request, outcome="Fait", satisfaction=5
        )
    with pytest.raises(ValidationFailed) as error:
        services.support_request_close(
            actor=world.requester, request=request, outcome="", satisfaction=9
        )
    assert set(error.value.field_errors) == {"outcome", "satisfaction"}
    services.support_request_close(
        actor=world.colleague,
        request=request,
        outcome="Portail ouvert",
        satisfaction="4",
        comment="Très utile",
    )
    request.refresh_from_db()
    assert (request.status, request.satisfaction, request.outcome) == (
        "closed",
        4,
        "Portail ouvert",
    )
    with pytest.raises(Conflict):
        services.support_message_post(actor=world.requester, request=request, body="Encore")


def test_cancel_withdraws_pending_offers(world):
    request = file(world)
    with pytest.raises(ValidationFailed):
        services.support_request_cancel(actor=world.requester, request=request, reason="")
    services.support_request_cancel(
        actor=world.requester, request=request, reason="Besoin réglé en interne"
    )
    request.refresh_from_db()
    assert request.status == SupportStatus.CANCELLED
    assert set(request.offers.values_list("status", flat=True)) == {"withdrawn"}
    with pytest.raises(Conflict):
        services.support_request_close(
            actor=world.requester, request=request, outcome="x", satisfaction=3
        )
