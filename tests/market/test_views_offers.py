"""Offer pages: list with facets, offer page, forms, references and their confirmation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mediane.market import services
from mediane.market.models import Offer, OfferReference, OfferStatus
from mediane.notifications.models import Notification
from tests.directory.factories import UserFactory
from tests.market.factories import CompanyFactory, offer_input

LIST = reverse("market:offer_list")


def detail(offer):
    return reverse("market:offer_detail", args=[offer.slug])


def test_list_search_and_facets(client, world):
    world.offer(title="Comptage piéton", price_model="subscription", sectors=[world.sector.slug])
    world.offer(title="Billettique", price_model="licence", target_kinds=["startup"])
    quebec = CompanyFactory(name="Québec Solutions", country="QC")
    services.offer_create(
        actor=world.secretariat,
        organisation=quebec,
        data=offer_input(title="Gestion des résidus miniers", price_model="quote"),
        publish=True,
    )
    world.offer(title="Brouillon caché", price_model="free")
    Offer.objects.filter(title="Brouillon caché").update(status=OfferStatus.DRAFT)
    html = client.get(LIST).content.decode()
    assert "3 offres" in html and "Brouillon caché" not in html
    for name in ("sector", "target", "price_model", "country"):
        assert f'name="{name}"' in html
    html = client.get(LIST + "?price_model=licence").content.decode()
    assert "1 offre" in html and "Billettique" in html and "Comptage piéton" not in html
    html = client.get(LIST + "?country=QC").content.decode()
    assert "Gestion des résidus miniers" in html and "Billettique" not in html
    html = client.get(LIST + "?target=startup").content.decode()
    assert "Billettique" in html and "Comptage piéton" not in html
    html = client.get(LIST + f"?sector={world.sector.slug}").content.decode()
    assert "Comptage piéton" in html and "Billettique" not in html
    html = client.get(LIST + "?q=billettique").content.decode()
    assert "Billettique" in html and "Comptage piéton" not in html


@pytest.mark.parametrize(
    "query",
    [
        "?price_model=zzz&country=ZZ&page=abc",
        "?target=%00&sector=",
        "?page=-3",
        "?q=a+AND+(",
        "?q=<script>alert(1)</script>",
        "?page=99999999999999999999",
    ],
)
def test_bad_filters_never_500(client, world, query):
    world.offer()
    response = client.get(LIST + query)
    assert response.status_code == 200
    assert b"<script>alert(1)" not in response.content


def test_list_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    world.offer(title="Première", sectors=[world.sector.slug])
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for i in range(8):
        offer = world.offer(title=f"Offre {i}", sectors=[world.sector.slug])
        services.offer_reference_add(
            actor=world.company_editor, offer=offer, organisation=world.city
        )
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many) == len(few)
    with django_assert_max_num_queries(len(few)):
        client.get(LIST + f"?sector={world.sector.slug}&price_model=subscription")


def test_offer_page_sanitised_and_only_confirmed_references(client, world):
    offer = world.offer(description="<p>Mesure</p><script>alert(1)</script><img src=x onerror=y>")
    confirmed = services.offer_reference_add(
        actor=world.company_editor, offer=offer, organisation=world.city, description="Parc"
    )
    services.offer_reference_confirm(actor=world.city_editor, reference=confirmed)
    services.offer_reference_add(
        actor=world.company_editor, offer=offer, organisation=world.co_city
    )
    html = client.get(detail(offer)).content.decode()
    assert "<script>alert(1)" not in html and "onerror" not in html
    assert "Ville de Nevers" in html and "confirmée par la ville" in html
    assert "Ville de Shawinigan" not in html  # unconfirmed: not shown to the public
    client.force_login(world.company_editor)
    html = client.get(detail(offer)).content.decode()
    assert "Ville de Shawinigan" in html and "en attente de confirmation" in html


def test_draft_offer_hidden_from_others(client, world):
    offer = world.offer()
    services.offer_set_status(actor=world.company_editor, offer=offer, status="draft")
    assert client.get(detail(offer)).status_code == 404
    client.force_login(world.rival_editor)
    assert client.get(detail(offer)).status_code == 404
    client.force_login(world.company_member)
    assert client.get(detail(offer)).status_code == 200


def test_create_edit_publish_unpublish_delete(client, world):
    client.force_login(world.company_editor)
    response = client.get(reverse("market:offer_create"))
    assert response.status_code == 200 and "Flux Pyrénées" in response.content.decode()
    data = {
        "organisation": world.company.pk,
        "title": "Capteurs de fréquentation",
        "summary": "Sans données personnelles",
        "description": "<p>Texte</p>",
        "target_kinds": ["collectivite"],
        "price_model": "subscription",
    }
    response = client.post(reverse("market:offer_create"), data)
    offer = Offer.objects.get(title="Capteurs de fréquentation")
    assert response.status_code == 302 and offer.status == OfferStatus.DRAFT
    edit = reverse("market:offer_edit", args=[offer.slug])
    assert client.post(edit, {**data, "title": "Capteurs v2"}).status_code == 302
    offer.refresh_from_db()
    assert offer.title == "Capteurs v2"
    publish = reverse("market:offer_publish", args=[offer.slug])
    assert client.post(publish, {"status": "published"}).status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED
    client.post(publish, {"status": "draft"})
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT
    response = client.post(publish, {"status": "n'importe quoi"}, follow=True)
    assert response.status_code == 200
    delete = reverse("market:offer_delete", args=[offer.slug])
    assert client.get(delete).status_code == 200  # confirmation step
    assert Offer.objects.filter(pk=offer.pk).exists()
    assert client.post(delete).status_code == 302
    assert not Offer.objects.filter(pk=offer.pk).exists()


def test_bad_offer_input_is_form_errors(client, world):
    client.force_login(world.company_editor)
    response = client.post(
        reverse("market:offer_create"),
        {
            "organisation": world.company.pk,
            "title": "",
            "price_model": "zzz",
            "sectors": ["inconnu"],
        },
    )
    assert response.status_code == 200
    assert response.content.decode().count("errorlist") >= 2
    # An organisation the user does not edit.
    response = client.post(
        reverse("market:offer_create"),
        {"organisation": world.rival.pk, "title": "X", "price_model": "free"},
    )
    assert response.status_code == 200 and not Offer.objects.exists()


def test_offer_forms_refused_to_others(client, world):
    offer = world.offer()
    client.force_login(world.rival_editor)
    for name in ("offer_edit", "offer_delete", "offer_reference_add"):
        assert client.get(reverse(f"market:{name}", args=[offer.slug])).status_code == 403
    assert (
        client.post(
            reverse("market:offer_publish", args=[offer.slug]), {"status": "draft"}
        ).status_code
        == 403
    )
    client.force_login(world.city_editor)  # a collectivité does not sell offers
    assert client.get(reverse("market:offer_create")).status_code == 403
    client.logout()
    assert client.get(reverse("market:offer_create")).status_code == 302


def test_add_reference_by_city_or_territory(client, world):
    offer = world.offer()
    client.force_login(world.company_editor)
    add = reverse("market:offer_reference_add", args=[offer.slug])
    response = client.post(add, {})
    assert response.status_code == 200 and "un seul des deux" in response.content.decode()
    response = client.post(add, {"territory": "n'existe pas"})
    assert response.status_code == 200 and "Territoire introuvable" in response.content.decode()
    assert (
        client.post(add, {"organisation": world.city.pk, "description": "Parc"}).status_code == 302
    )
    assert client.post(add, {"territory": world.co_city.territory.code}).status_code == 302
    assert OfferReference.objects.filter(offer=offer).count() == 2
    assert Notification.objects.filter(recipient=world.city_editor).exists()
    # The same city twice: a form error, not a 500.
    response = client.post(add, {"organisation": world.city.pk})
    assert response.status_code == 200 and "existe déjà" in response.content.decode()


def test_confirmations_only_by_the_referenced_city(client, world):
    offer = world.offer()
    ref = services.offer_reference_add(
        actor=world.company_editor, offer=offer, organisation=world.city
    )
    other = services.offer_reference_add(
        actor=world.company_editor, offer=offer, organisation=world.co_city
    )
    decide = reverse("market:offer_reference_decide", args=[ref.pk])
    for user in (world.company_editor, world.secretariat, world.co_city_editor, world.city_member):
        client.force_login(user)
        assert client.post(decide, {"decision": "confirm"}).status_code == 404
    ref.refresh_from_db()
    assert not ref.is_confirmed
    client.force_login(world.city_editor)
    html = client.get(reverse("market:offer_references_to_confirm")).content.decode()
    assert offer.title in html and str(ref.pk) in html
    assert reverse("market:offer_reference_decide", args=[other.pk]) not in html
    assert client.post(decide, {"decision": "peut-être"}, follow=True).status_code == 200
    assert client.post(decide, {"decision": "confirm"}).status_code == 302
    ref.refresh_from_db()
    assert ref.is_confirmed
    # The co-city refuses its own: the reference goes and the company is told.
    client.force_login(world.co_city_editor)
    refuse = reverse("market:offer_reference_decide", args=[other.pk])
    asked = client.post(refuse, {"decision": "refuse"})  # first a confirmation, nothing removed
    assert asked.status_code == 200 and "Refuser la référence" in asked.content.decode()
    assert OfferReference.objects.filter(pk=other.pk).exists()
    assert client.post(refuse, {"decision": "refuse", "confirmed": "1"}).status_code == 302
    assert not OfferReference.objects.filter(pk=other.pk).exists()
    assert Notification.objects.filter(
        recipient=world.company_editor, verb="reference_refused"
    ).exists()


def test_remove_reference_with_confirmation(client, world):
    offer = world.offer()
    ref = services.offer_reference_add(
        actor=world.company_editor, offer=offer, organisation=world.city
    )
    url = reverse("market:offer_reference_remove", args=[offer.slug, ref.pk])
    client.force_login(UserFactory())
    assert client.post(url).status_code == 403
    client.force_login(world.company_editor)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not OfferReference.objects.filter(pk=ref.pk).exists()


def test_offer_slug_never_takes_a_fixed_path(world):
    offer = world.offer(title="Nouvelle")
    assert offer.slug != "nouvelle"


def test_offer_list_in_english(client, world):
    world.offer()
    client.cookies["django_language"] = "en"
    html = client.get(LIST).content.decode()
    assert "Companies&#x27; offers" in html or "Companies' offers" in html
    assert "Pricing model" in html and "1 offer" in html
