"""Journey: a city editor adds an action to the plan, then edits it to "en cours" with progress;
the plan's progress rolls up on the plan page and on the public accountability page (read
anonymously); the editor imports a CSV: sees the preview with a row error, fixes it, confirms."""

from __future__ import annotations

import pytest

from mediane.plans import services
from mediane.plans.models import Action
from tests.browser.test_summit_journey import log_in, log_out
from tests.plans.factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_action_progress_public_page_and_import(page, screenshot, tmp_path):
    world = make_world()
    plan = world.plan()
    services.axis_create(actor=world.editor, plan=plan, title="Nouvelle impulsion économique")
    log_in(page, world.editor)

    page.goto(page.base_url + plan.get_absolute_url())
    page.get_by_role("link", name="Ajouter une action").first.click()
    page.get_by_label("Numéro").fill("72")
    page.get_by_label("Intitulé").fill("Créer un tiers-lieu et un incubateur d'entreprises")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Action 72 : Créer un tiers-lieu").wait_for()

    page.get_by_role("link", name="Modifier l’action").click()
    page.get_by_label("État").select_option("in_progress")
    page.get_by_label("Avancement (%)").fill("40")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("L'action est enregistrée.").wait_for()
    assert Action.objects.get(plan=plan, number=72).progress == 40

    page.goto(page.base_url + plan.get_absolute_url())
    assert page.locator("progress[aria-label='Avancement du plan']").get_attribute("value") == "40"
    screenshot(page, "plan")

    bad = tmp_path / "plan.csv"
    bad.write_text(
        "axis_number,axis_title,number,title,status,progress\n"
        "1,,72,Créer un tiers-lieu et un incubateur d'entreprises,in_progress,60\n"
        "2,Cadre de vie,10,Végétaliser les cours d'école,upcoming,150\n",
        encoding="utf-8",
    )
    page.goto(page.base_url + f"/plans/{plan.slug}/import/")
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(str(bad))
    page.get_by_role("button", name="Prévisualiser").click()
    page.get_by_text("1 ligne contient des erreurs").wait_for()
    assert page.get_by_text("Avancement : nombre de 0 à 100 attendu.").is_visible()
    bad.write_text(bad.read_text(encoding="utf-8").replace(",150", ",0"), encoding="utf-8")
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(str(bad))
    page.get_by_role("button", name="Prévisualiser").click()
    page.get_by_text("1 action(s) à créer, 1 à mettre à jour.").wait_for()
    page.get_by_role("button", name="Confirmer l’import").click()
    page.get_by_text("Import terminé").wait_for()
    assert Action.objects.get(plan=plan, number=72).progress == 60
    assert Action.objects.filter(plan=plan).count() == 2

    log_out(page)
    page.goto(page.base_url + plan.get_public_url())
    page.get_by_role("heading", name="Où en est le « Plan Avenir Lourdes » ?").wait_for()
    # Axis 1: 60; axis 2: 0 → plan 30 %.
    assert page.locator("progress[aria-label='Avancement du plan']").get_attribute("value") == "30"
    screenshot(page, "public")
    assert not page.js_errors
