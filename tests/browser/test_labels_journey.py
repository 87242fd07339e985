"""Journey: Lourdes (every criterion met) has requested an evaluation; the secretariat opens it
from the evaluations page, reads the evidence of each criterion and confirms; a member of the
city downloads the certificate (PDF) from the evaluation; an anonymous visitor finds Lourdes on
the public list of labelled cities with its badge, and opens its verification page."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from mediane.labels import services
from mediane.labels.criteria import seed_default_criteria
from mediane.labels.models import Label, LabelCriterion
from tests.browser.test_summit_journey import log_in, log_out
from tests.labels.factories import make_eligible, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def criteria():  # type: ignore[no-untyped-def]
    """Transactional tests flush the database: seed the default criteria of the migration again."""
    if not LabelCriterion.objects.exists():
        seed_default_criteria(LabelCriterion)


def test_confirm_download_certificate_and_public_list(page, screenshot):
    world = make_world()
    make_eligible(world.city)
    evaluation = services.evaluation_request(actor=world.editor, organisation=world.city)

    # The secretariat opens the evaluation and reads the evidence.
    log_in(page, world.secretariat)
    page.goto(page.base_url + "/label/evaluations/")
    page.get_by_role("link", name="Lourdes").click()
    page.get_by_role("heading", name="Critères et preuves").wait_for()
    assert page.get_by_text("5 critères remplis sur 5").is_visible()
    page.get_by_text("6 dimensions sur 8 au niveau 3 ou plus").wait_for()
    evidence = page.get_by_role("link", name="jeu de données « Subventions 2025 »", exact=False)
    assert evidence.is_visible()
    screenshot(page, "evaluation")
    page.get_by_role("button", name="Confirmer et attribuer le label").click()
    page.get_by_text("Label attribué à Lourdes jusqu’au").wait_for()
    label = Label.objects.get(evaluation=evaluation)
    assert label.status == "active"
    log_out(page)

    # A member of the city downloads the certificate.
    log_in(page, world.member)
    page.goto(page.base_url + evaluation.get_absolute_url())
    page.get_by_role("heading", name="Label attribué").wait_for()
    assert (
        world.city.slug in page.get_by_label("Code du badge à copier dans votre site").input_value()
    )
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le certificat (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        text = PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()
    assert "Lourdes" in text and str(label.reference) in text
    screenshot(page, "awarded")
    log_out(page)

    # Anyone finds Lourdes on the public list, with its badge, and checks the label.
    page.goto(page.base_url + "/label/")
    card = page.locator("li.card", has=page.get_by_role("link", name="Lourdes"))
    card.wait_for()
    badge = card.locator("img.labels-badge")
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", badge.element_handle())
    screenshot(page, "public-list")
    card.get_by_role("link", name="Lourdes").click()
    page.get_by_text("Label valide").wait_for()
    assert page.get_by_text("Télécharger le certificat").count() == 0
    screenshot(page, "city")
