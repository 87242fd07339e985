"""Journey: a city editor asks for expert support; the expert it is offered to takes charge
from the inbox and writes; the requester answers and closes the request with the outcome and a
satisfaction score; the secretariat finds it, closed, in its list."""

from __future__ import annotations

import pytest

from mediane.support.models import SupportRequest
from tests.accounts.factories import PASSWORD
from tests.browser.test_summit_journey import log_out
from tests.support.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user) -> None:  # type: ignore[no-untyped-def]
    """The support world's people have the accounts factories' password."""
    page.goto(page.base_url + "/comptes/connexion/")
    page.fill("input[name='username']", user.email)
    page.fill("input[name='password']", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(page.base_url + "/")


def test_file_take_talk_and_close(page, screenshot):
    world = make_world()
    log_in(page, world.requester)
    page.goto(page.base_url + "/accompagnement/nouvelle/")
    page.get_by_label("Objet").fill("Ouvrir nos données de transport")
    page.get_by_label("Votre besoin").fill("Publier les horaires de bus en données ouvertes.")
    page.get_by_label("Données ouvertes").check()
    page.get_by_role("button", name="Envoyer la demande").click()
    page.get_by_text("Votre demande est envoyée à 3 expert(s)").wait_for()
    screenshot(page, "filed")
    request = SupportRequest.objects.get()
    assert request.status == "routed"
    log_out(page)

    log_in(page, world.local_user)
    page.goto(page.base_url + "/accompagnement/experts/")
    page.get_by_role("link", name="Ouvrir nos données de transport").click()
    page.get_by_role("button", name="Prendre en charge").click()
    page.get_by_text("Vous avez pris cette demande en charge").wait_for()
    page.get_by_label("Votre message").fill("Bonjour, je vous propose un appel jeudi.")
    page.get_by_role("button", name="Envoyer", exact=True).click()
    page.get_by_text("Votre message est envoyé.").wait_for()
    screenshot(page, "taken")
    log_out(page)

    log_in(page, world.requester)
    page.goto(page.base_url + request.get_absolute_url())
    page.get_by_text("Bonjour, je vous propose un appel jeudi.").wait_for()
    page.get_by_role("link", name="Clôturer et donner mon avis").click()
    page.get_by_role("button", name="Clôturer").click()
    page.get_by_text("Le formulaire contient des erreurs").wait_for()
    page.get_by_label("Résultat de l'accompagnement").fill("Horaires publiés sur le portail.")
    page.get_by_label("4 — satisfait").check()
    page.get_by_role("button", name="Clôturer").click()
    page.get_by_text("La demande est clôturée.").wait_for()
    screenshot(page, "closed")
    request.refresh_from_db()
    assert (request.status, request.satisfaction) == ("closed", 4)
    log_out(page)

    log_in(page, world.secretariat)
    page.goto(page.base_url + "/accompagnement/demandes/?status=closed")
    page.get_by_role("link", name="Ouvrir nos données de transport").wait_for()
    page.goto(page.base_url + "/accompagnement/suivi/")
    page.get_by_text("Aucune demande en retard de prise en charge.").wait_for()
