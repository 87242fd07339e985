"""Journey: replicate a solution. An editor of Lourdes opens Nevers' smart-parking sheet,
chooses « Reproduire dans ma ville », creates a draft challenge, lands on the prefilled draft
(problem copied, source named), and finds the replication on the sheet and on the network page
with its map. The same as a draft cooperation project led by Lourdes."""

from __future__ import annotations

import pytest

from mediane.solutions.models import Replication
from tests.browser.test_summit_journey import log_in
from tests.solutions.factories import make_sheet, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_replicate_a_solution(page, screenshot):
    world = make_world()
    sheet = make_sheet(world)
    log_in(page, world.lourdes_editor)

    page.goto(page.base_url + "/solutions/")
    page.get_by_role("link", name="Stationnement intelligent du centre-ville").click()
    page.get_by_role("heading", name="Stationnement intelligent du centre-ville").wait_for()
    assert page.get_by_role("cell", name="Temps moyen de recherche").count() == 0  # a row header
    assert page.get_by_role("rowheader", name="Temps moyen de recherche").is_visible()
    screenshot(page, "sheet")

    page.get_by_role("link", name="Reproduire dans ma ville").click()
    page.get_by_role("heading", name="Reproduire dans ma ville").wait_for()
    page.get_by_label("Défi (brouillon)").check()
    screenshot(page, "replicate")
    page.get_by_role("button", name="Créer le brouillon").click()

    page.get_by_text("Reproduit à partir de la solution").wait_for()
    replication = Replication.objects.get()
    assert page.url == page.base_url + replication.challenge.get_absolute_url()
    page.get_by_role(
        "heading", name="Stationnement intelligent du centre-ville à Lourdes"
    ).wait_for()
    assert page.get_by_text("tournaient 12 minutes en moyenne").first.is_visible()
    assert page.get_by_text("Brouillon", exact=True).first.is_visible()
    screenshot(page, "draft")

    page.get_by_role("link", name="« Stationnement intelligent du centre-ville »").click()
    row = page.locator(
        "#reproductions tr", has=page.get_by_role("rowheader", name="Ville de Lourdes")
    )
    row.wait_for()
    assert "Brouillon" in row.inner_text()

    page.goto(page.base_url + "/solutions/reproductions/")
    table_row = page.locator("tbody tr", has_text="Ville de Lourdes")
    assert "Ville de Nevers" in table_row.inner_text()
    page.locator("#replication-map[data-ready='true']").wait_for()
    assert page.locator("#replication-map .solutions-line").count() == 1
    assert page.locator("#replication-map .map-marker").count() == 2
    screenshot(page, "network")
    assert not page.js_errors, page.js_errors
    assert sheet.replications.count() == 1


def test_replicate_a_solution_as_a_cooperation_project(page, screenshot):
    world = make_world()
    sheet = make_sheet(world)
    log_in(page, world.lourdes_editor)

    page.goto(page.base_url + sheet.get_absolute_url())
    page.get_by_role("link", name="Reproduire dans ma ville").click()
    page.get_by_role("heading", name="Reproduire dans ma ville").wait_for()
    page.get_by_label("Projet de coopération (brouillon)").check()
    page.get_by_label("Titre du brouillon").fill("Capteurs de stationnement à Lourdes")
    page.get_by_role("button", name="Créer le brouillon").click()

    page.get_by_role("heading", name="Capteurs de stationnement à Lourdes").wait_for()
    replication = Replication.objects.get()
    assert replication.kind == "project" and replication.project.lead == world.lourdes
    assert page.url == page.base_url + replication.project.get_absolute_url()
    assert page.get_by_text("Ce brouillon reprend la solution").first.is_visible()
    assert page.get_by_text("Reproduit à partir de la solution").is_visible()
    assert page.get_by_text("tournaient 12 minutes en moyenne").first.is_visible()
    screenshot(page, "draft-project")

    page.goto(page.base_url + sheet.get_absolute_url())
    row = page.locator(
        "#reproductions tr", has=page.get_by_role("rowheader", name="Ville de Lourdes")
    )
    row.wait_for()
    assert "Brouillon" in row.inner_text()
    assert row.get_by_role("link", name="Capteurs de stationnement à Lourdes").is_visible()
    page.goto(page.base_url + "/solutions/reproductions/")
    assert (
        "Projet de coopération"
        in page.locator("tbody tr", has_text="Ville de Lourdes").inner_text()
    )
    assert not page.js_errors, page.js_errors
