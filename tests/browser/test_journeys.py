"""The main journeys, in a real browser against the live server, with the strict CSP on."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from mediane.demo import data, loader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(monkeypatch):
    # These journeys do not read the summit's schedule: skip the scheduler run of the demo
    # (about 15 s per test; the summit has its own journey and demo test).
    monkeypatch.setattr("mediane.demo.summit_data.load_summit_schedule", lambda _loader: None)
    # Transactional tests empty the tables between tests: bring back the sector taxonomy that
    # a data migration created.
    taxonomy = importlib.import_module("mediane.directory.migrations.0002_sector_taxonomy")
    taxonomy.create_sectors(django_apps, None)
    call_command("import_territories", only=",".join(loader.city_codes()), verbosity=0)
    return loader.load_demo()


def home_search_laine_to_organisation(page, screenshot):
    page.goto(page.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).is_visible()
    screenshot(page, "home")
    page.get_by_label("Rechercher dans le réseau").fill("laine")
    page.get_by_role("button", name="Rechercher").first.click()
    page.wait_for_url(re.compile(r"/recherche/\?q=laine"))
    result = page.get_by_role("link", name=re.compile("Filature des Gaves")).first
    result.wait_for()
    screenshot(page, "results")
    result.click()
    page.wait_for_url(re.compile(r"/annuaire/filature-des-gaves"))
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Filature des Gaves"
    assert page.get_by_text("laine des Pyrénées").first.is_visible()
    screenshot(page, "organisation")
    assert not page.js_errors


def map_shows_markers_without_tiles(page, screenshot):
    page.goto(page.base_url + "/carte/")
    page.wait_for_selector("#network-map[data-ready='true']")
    markers = page.locator(".leaflet-marker-icon")
    assert markers.count() > 0
    # The status line reports the places and that the tiles could not be loaded.
    status = page.locator("#network-map-status")
    status.filter(has_text="Fond de carte indisponible").wait_for()
    assert re.search(r"\d+ lieux affichés", status.inner_text())
    screenshot(page, "map")
    # Unticking every organisation layer leaves only the seven cities.
    for label in ("Incubateurs", "Tiers-lieux", "Accélérateurs"):
        page.get_by_label(label).uncheck()
    assert "7 lieux affichés" in status.inner_text()
    # The list of places is there for everyone, and follows the filters.
    assert page.locator(".places-list li[data-layer='incubator']").first.is_hidden()
    assert page.get_by_role("link", name="Lourdes", exact=True).is_visible()
    assert not page.js_errors


def log_in_and_open_profile(page, screenshot):
    page.goto(page.base_url + "/")
    page.get_by_role("link", name="Se connecter").first.click()
    page.wait_for_url(re.compile(r"/comptes/connexion/"))
    page.fill("input[name='username']", "admin.lourdes@example.org")
    page.fill("input[name='password']", data.DEMO_PASSWORD)
    screenshot(page, "login")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(page.base_url + "/")
    page.get_by_role("link", name="Anne").click()
    page.wait_for_url(re.compile(r"/comptes/profil/"))
    assert "admin.lourdes@example.org" in page.content()
    screenshot(page, "profile")
    assert not page.js_errors


def test_home_search_map_and_log_in(page, demo, screenshot):
    """Three journeys on one load of the demo (a transactional test empties the tables after
    it, so each test would load it again): home → search "laine" → organisation page; the map
    and its markers; logging in. Logging in comes last, the first two are anonymous."""
    home_search_laine_to_organisation(page, screenshot)
    map_shows_markers_without_tiles(page, screenshot)
    log_in_and_open_profile(page, screenshot)


def test_switch_language_and_back(page, screenshot):
    page.goto(page.base_url + "/carte/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Changer").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.url.endswith("/carte/")
    nav = page.get_by_role("navigation", name="Main navigation")
    assert nav.get_by_role("link", name="Directory").is_visible()
    assert page.get_by_role("heading", level=1).inner_text() == "Network map"
    screenshot(page, "english")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    page.wait_for_function("document.documentElement.lang === 'fr'")
    assert page.get_by_role("heading", level=1).inner_text() == "Carte du réseau"
    assert not page.js_errors
