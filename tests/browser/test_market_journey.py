"""Market journey in a real browser: a city editor writes a challenge with the guided form and
submits it, the secretariat publishes it, a company answers it. (The jury's part of the journey
is in the evaluation's own browser test.)"""

from __future__ import annotations

import importlib
import re
import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from mediane.demo import data, loader
from mediane.market.models import Answer, Challenge, ChallengeStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Où vont les visiteurs de Lourdes après la saison des pèlerinages ?"
PROBLEM = (
    "De novembre à mars, la fréquentation de Lourdes chute après la saison des pèlerinages. "
    "Nous ne savons pas quels visiteurs restent, où ils vont ni ce qu'ils cherchent, et les "
    "commerces du centre ferment faute de clients pendant cinq mois de l'année."
)


@pytest.fixture
def demo(monkeypatch):
    # These journeys do not read the summit's schedule: skip the scheduler run of the demo
    # (about 15 s per test; the summit has its own journey and demo test).
    monkeypatch.setattr("mediane.demo.summit_data.load_summit_schedule", lambda _loader: None)
    taxonomy = importlib.import_module("mediane.directory.migrations.0002_sector_taxonomy")
    taxonomy.create_sectors(django_apps, None)
    call_command("import_territories", only=",".join(loader.city_codes()), verbosity=0)
    return loader.load_demo()


def log_in(page, email: str) -> None:
    page.goto(page.base_url + "/comptes/connexion/")
    page.fill("input[name='username']", email)
    page.fill("input[name='password']", data.DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(page.base_url + "/")


def log_out(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()


def test_city_writes_secretariat_publishes_company_answers(page, demo, screenshot):
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    now = datetime.now(paris)
    opens = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    closes = (now + timedelta(days=30)).replace(hour=17, minute=0).strftime("%Y-%m-%dT%H:%M")

    # 1. The city editor writes the challenge with the guided form.
    log_in(page, "editeur.lourdes@example.org")
    page.get_by_role("link", name="Défis", exact=True).first.click()
    page.wait_for_url(re.compile(r"/defis/$"))
    page.get_by_role("link", name="Rédiger un défi").click()
    page.wait_for_url(re.compile(r"/defis/nouveau/$"))
    page.get_by_label("Titre du défi").fill(TITLE)
    page.get_by_label("Problème à résoudre").fill(
        "Nous voulons une application pour les touristes."
    )
    # The checklist is refreshed while typing (htmx) and warns about the named solution.
    warning = page.locator("#challenge-checklist").get_by_text("semble nommer une solution")
    warning.wait_for()
    screenshot(page, "guided-form-warning")
    page.get_by_label("Problème à résoudre").fill(PROBLEM)
    warning.wait_for(state="detached")
    page.get_by_label("Contexte et chiffres").fill(
        "5 millions de visiteurs par an, 80 % d'avril à octobre."
    )
    page.get_by_label("Résultats attendus").fill("- Augmenter de 15 % les nuitées hors saison")
    page.get_by_label("Budget maximum").fill("40000")
    page.get_by_label("Ouverture des réponses").fill(opens)
    page.get_by_label("Clôture des réponses").fill(closes)
    page.get_by_label("Tourisme", exact=True).check()
    page.locator("#challenge-checklist").get_by_text("6 sur 6 points remplis").wait_for()
    screenshot(page, "guided-form")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url(re.compile(r"/defis/ou-vont-les-visiteurs"))
    assert page.get_by_role("heading", level=1).inner_text().strip() == TITLE
    assert page.get_by_text("(heure de Paris)").first.is_visible()
    page.get_by_role("link", name="Soumettre au secrétariat").click()
    page.get_by_role("button", name="Soumettre").click()
    page.get_by_text("Soumis au secrétariat").first.wait_for()
    log_out(page)

    # 2. The secretariat publishes it from the review queue.
    log_in(page, "secretariat@example.org")
    page.goto(page.base_url + "/defis/a-valider/")
    assert page.get_by_role("link", name=TITLE).is_visible()
    screenshot(page, "review-queue")
    page.get_by_role("link", name="Publier").first.click()
    page.get_by_role("button", name="Publier").click()
    page.get_by_text("Le défi est maintenant : Publié.").wait_for()
    log_out(page)
    assert Challenge.objects.get(title=TITLE).status == ChallengeStatus.OPEN

    # 3. A company finds it in the list and answers.
    log_in(page, "startup@example.org")
    page.goto(page.base_url + "/defis/?status=open")
    screenshot(page, "list")
    page.get_by_role("link", name=TITLE).click()
    screenshot(page, "challenge")
    page.get_by_role("link", name="Répondre", exact=True).click()
    page.get_by_label("Démarche proposée").fill("Comptage anonyme des flux et enquêtes courtes.")
    page.get_by_label("Prix maximum").fill("30000")
    page.get_by_role("button", name="Déposer ma réponse").click()
    page.get_by_text("Votre réponse est déposée.").wait_for()
    screenshot(page, "answer")
    page.goto(page.base_url + "/defis/mes-reponses/")
    assert page.get_by_role("link", name=TITLE).is_visible()
    answer = Answer.objects.get(challenge__title=TITLE)
    assert answer.organisation.name == "Pyrène Outdoor Lab"
    assert "Comptage anonyme" in answer.approach
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.get_by_role("link", name=TITLE).click()
    assert page.get_by_role("heading", level=1).is_visible()
    screenshot(page, "challenge-narrow")
    assert not page.js_errors
