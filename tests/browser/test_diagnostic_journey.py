"""Journeys of the diagnostic: a city editor opens the year's diagnostic and answers with
autosave (the "Enregistré" feedback, an indicator value converted to a level, the
personalisation question marking others not applicable), submits it once complete; the city's
administrator validates it and reads the results (radar and table). A member of the city then
downloads the PDF report."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from mediane.diagnostic import services
from mediane.diagnostic.models import Answer, DiagnosticStatus
from tests.browser.test_summit_journey import log_in, log_out
from tests.diagnostic.helpers import answer_all, make_city, secretariat_user, validated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def questionnaire():  # type: ignore[no-untyped-def]
    """Transactional tests flush the database: load the shipped questionnaire again."""
    services.questionnaire_sync_shipped()


def test_answer_submit_and_validate(page, screenshot):
    city = make_city(name="Ville de Fleurance")
    log_in(page, city.editor)
    page.goto(page.base_url + "/diagnostic/")
    page.get_by_label("Année").fill("2025")
    page.get_by_role("button", name="Ouvrir le diagnostic").click()
    page.get_by_role("heading", name="Questionnaire de Ville de Fleurance").wait_for()
    diagnostic = city.org.diagnostics.get()

    # Autosave: a level, then an indicator value converted by the band's thresholds.
    first = page.locator("#q-11")
    first.get_by_label("3 — Stratégie adoptée par le conseil").check()
    first.get_by_text("Enregistré").wait_for()
    assert Answer.objects.get(diagnostic=diagnostic, question__code="1.1").level == 3
    internet = page.locator("#q-21")
    internet.get_by_label("Ménages ayant accès à Internet (%)").fill("92")
    internet.get_by_label("Ménages ayant accès à Internet (%)").press("Tab")
    internet.get_by_text("Enregistré — niveau 4").wait_for()
    screenshot(page, "autosaved")

    # Personalisation: the city does not hold the networks competence; the page reloads with
    # 2.2 and 2.4 marked not applicable.
    page.locator("#q-25").get_by_label("Non, elle relève de l'intercommunalité").check()
    page.locator("#q-22").get_by_text("Sans objet pour votre ville").wait_for()

    # Colleagues answer the rest in other sittings.
    answer_all(diagnostic, city.admin, level=3, choice="non")
    page.reload()
    page.get_by_role("button", name="Soumettre le diagnostic").click()
    page.get_by_text("Diagnostic soumis").wait_for()
    diagnostic.refresh_from_db()
    assert diagnostic.status == DiagnosticStatus.SUBMITTED
    log_out(page)

    log_in(page, city.admin)
    page.goto(page.base_url + diagnostic.get_absolute_url())
    page.get_by_label("Commentaire (facultatif)").fill("Relu en comité de direction.")
    page.get_by_role("button", name="Valider le diagnostic").click()
    page.get_by_text("Diagnostic validé").first.wait_for()
    diagnostic.refresh_from_db()
    assert diagnostic.status == DiagnosticStatus.VALIDATED
    page.locator("svg.radar polygon.radar-city").wait_for()
    table = page.get_by_role("table", name="Scores de 1 à 5")
    assert "D1. Stratégie" in table.inner_text()
    screenshot(page, "results")


def test_download_the_pdf_report(page, screenshot):
    secretariat = secretariat_user()
    city = make_city(name="Ville de Fleurance")
    validated(city, 2024, 2, secretariat)
    diagnostic = validated(city, 2025, 3, secretariat)
    log_in(page, city.member)
    page.goto(page.base_url + diagnostic.get_absolute_url())
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le rapport PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"diagnostic-{city.org.slug}-2025.pdf"
    with open(download.path(), "rb") as handle:
        text = PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()
    assert "Ville de Fleurance" in text and "Scores par dimension" in text
    screenshot(page, "pdf")


def test_add_a_recommended_action_to_the_plan(page, screenshot):
    """The city's editor reads the recommendations of a weak dimension, adds the suggested action
    to the city's plan in one click, and finds it in the plan, linked to the question."""
    from mediane.plans import services as plan_services
    from mediane.plans.models import Action

    city = make_city(name="Ville de Fleurance")
    diagnostic = validated(city, 2025, 2, secretariat_user())
    plan = plan_services.plan_create(
        actor=city.editor,
        organisation=city.org,
        title="Plan Fleurance 2030",
        start_year=2024,
        end_year=2030,
    )
    log_in(page, city.editor)
    page.goto(page.base_url + diagnostic.get_absolute_url())
    button = page.get_by_role("button", name="Ajouter au plan « Plan Fleurance 2030 »").first
    screenshot(page, "recommendations")
    button.click()
    page.get_by_text("ajoutée au plan").first.wait_for()
    action = Action.objects.get(plan=plan)
    assert action.status == "upcoming"
    assert action.questions.exists()

    page.goto(page.base_url + plan.get_absolute_url())
    page.get_by_text(action.title).first.wait_for()
    assert "Actions issues du diagnostic" in page.content()
    screenshot(page, "plan-with-action")
