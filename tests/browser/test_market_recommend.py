"""Journey: a city's editor opens the organisations to invite to its challenge, reads why each
one is there, invites one with a message and sees it marked as invited; the invited company
finds the challenge among its recommended challenges. Data through the market services."""

from __future__ import annotations

import pytest

from mediane.directory.services import organisation_create
from mediane.market import services
from mediane.market.inputs import OfferInput
from tests.directory.factories import PASSWORD, member_of, org_input
from tests.market.factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.base_url + "/comptes/connexion/")
    page.fill("input[name='username']", user.email)
    page.fill("input[name='password']", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(page.base_url + "/")


def _org(world, **changes):  # type: ignore[no-untyped-def]
    return organisation_create(actor=world.secretariat, make_admin=False, data=org_input(**changes))


def test_issuer_invites_a_recommended_organisation(page, screenshot):
    world = make_world()
    counter = _org(
        world,
        name="Compteurs Pyrénées",
        summary="Comptage anonyme des visiteurs pour les villes touristiques.",
        description="Mesure anonyme de la fréquentation et de l'achalandage des visiteurs.",
    )
    _org(
        world,
        name="Flux Québec",
        country="QC",
        kind="pme",
        description="Comptage des flux de visiteurs et de la fréquentation touristique en hiver.",
    )
    _org(world, name="Autocars du Sud", description="Transport de groupes de visiteurs en autocar.")
    services.offer_create(
        actor=world.secretariat,
        organisation=counter,
        data=OfferInput(title="Comptage des flux touristiques", summary="Capteurs"),
        publish=True,
    )
    counter_editor = member_of(counter, "editor")
    challenge = world.open_challenge(closes_at="2030-04-01T17:00")

    # The city's editor goes from the challenge page to the list.
    log_in(page, world.city_editor)
    page.goto(page.base_url + challenge.get_absolute_url())
    page.get_by_role("link", name="Organisations à inviter").click()
    page.wait_for_url(f"**/defis/{challenge.slug}/a-inviter/")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Organisations à inviter"
    # The two counting firms (one local with an offer, one in Québec that counts winter
    # visitors) lead, in either order; the coach company that carries visitors comes after.
    rows = page.locator("li.recommend-row")
    leaders = " ".join(rows.nth(i).inner_text() for i in range(2))
    assert "Compteurs Pyrénées" in leaders and "Flux Québec" in leaders
    assert "Autocars du Sud" not in leaders
    first = page.locator("li.recommend-row", has_text="Compteurs Pyrénées")
    assert "Mots en commun" in first.locator(".recommend-why").inner_text()
    assert first.get_by_role("link", name="Comptage des flux touristiques").is_visible()
    screenshot(page, "list-1280")

    # Invite it, with a message.
    first.get_by_text("Ajouter un message").click()
    first.get_by_label("Message (facultatif)").fill("Votre offre correspond à notre besoin.")
    first.get_by_role("button", name="Inviter à répondre").click()
    page.get_by_text("Compteurs Pyrénées est invitée à répondre au défi.").wait_for()
    row = page.locator("li.recommend-row", has_text="Compteurs Pyrénées")
    assert "Invitée le" in row.inner_text()
    assert row.get_by_role("button", name="Inviter à répondre").count() == 0
    assert (
        page.locator("li.recommend-row", has_text="Flux Québec")
        .get_by_role("button", name="Inviter à répondre")
        .is_visible()
    )

    # A wrong click: invite Flux Québec, then withdraw it after a confirmation.
    quebec_row = page.locator("li.recommend-row", has_text="Flux Québec")
    quebec_row.get_by_role("button", name="Inviter à répondre").click()
    page.get_by_text("Flux Québec est invitée à répondre au défi.").wait_for()
    page.locator("li.recommend-row", has_text="Flux Québec").get_by_role(
        "link", name="Retirer l’invitation"
    ).click()
    page.wait_for_url("**/retirer/")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Retirer l’invitation"
    screenshot(page, "withdraw-1280")
    page.get_by_role("button", name="Retirer l’invitation").click()
    page.get_by_text("L'invitation de Flux Québec est retirée.").wait_for()
    assert (
        page.locator("li.recommend-row", has_text="Flux Québec")
        .get_by_role("button", name="Inviter à répondre")
        .is_visible()
    )

    # Filters: Québec only.
    page.get_by_label("Pays").select_option("QC")
    page.get_by_role("button", name="Appliquer les filtres").click()
    page.wait_for_url("**country=QC**")
    assert page.locator("li.recommend-row").count() == 1
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + f"/defis/{challenge.slug}/a-inviter/")
    screenshot(page, "list-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.js_errors == []
    page.context.clear_cookies()  # signed out

    # The invited company: its notification, and the challenge among its recommendations.
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, counter_editor)
    page.goto(page.base_url + counter.get_absolute_url())
    page.get_by_role("link", name="Défis recommandés").click()
    page.wait_for_url("**/defis-recommandes/")
    assert page.get_by_role("heading", name="Invitations reçues").is_visible()
    assert page.get_by_text("Votre offre correspond à notre besoin.").is_visible()
    card = page.locator("li.recommend-row", has_text=challenge.title)
    assert "Votre organisation est invitée à répondre" in card.inner_text()
    assert card.get_by_role("link", name="Répondre").is_visible()
    screenshot(page, "challenges-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "challenges-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.js_errors == []
