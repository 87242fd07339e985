"""Journey: a city editor creates a dataset, uploads a file with personal data, follows the
processing (the progress fragment polls until the worker — here the test — is done), reads the
blocking findings, removes the e-mail column in one click, and opens the dataset once nothing
blocks; an anonymous visitor then finds it in the catalogue with its preview."""

from __future__ import annotations

import pytest

from mediane.datahub.models import Dataset, VersionStatus
from mediane.datahub.processing import process_version
from tests.browser.test_summit_journey import log_in, log_out
from tests.datahub.factories import make_hub

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "atelier,participants,courriel_contact\n"
    "Démarches en ligne,12,julie.martin@example.fr\n"
    "Smartphone,8,louis.bernard@example.org\n"
    "Visio,5,chloe.tremblay@example.ca\n"
)


def test_create_upload_treat_and_open(page, screenshot, tmp_path):
    hub = make_hub()
    log_in(page, hub.editor)
    page.goto(page.base_url + "/donnees/nouveau/")
    page.get_by_label("Titre").fill("Ateliers numériques 2026")
    page.get_by_label("Description").fill("Participation aux ateliers de médiation numérique.")
    page.get_by_role("button", name="Créer").click()
    page.get_by_role("heading", name="Déposer un fichier").wait_for()
    dataset = Dataset.objects.get(title="Ateliers numériques 2026")

    upload = tmp_path / "ateliers.csv"
    upload.write_text(CSV, encoding="utf-8")
    page.get_by_label("Fichier").set_input_files(str(upload))
    page.get_by_role("button", name="Déposer").click()
    page.locator("#version-progress").wait_for()
    screenshot(page, "processing")
    version = dataset.versions.get()
    assert version.status == VersionStatus.PENDING
    process_version(version.pk)  # what the worker does
    page.get_by_text("Publication bloquée").wait_for(timeout=20_000)  # the fragment reloads
    screenshot(page, "blocked")
    assert "julie.martin@example.fr" not in page.content()

    row = page.locator("tr", has=page.get_by_role("rowheader", name="courriel_contact"))
    row.get_by_label("Transformation").select_option("drop")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Créer la version").click()
    page.locator("#version-progress").wait_for()
    process_version(dataset.versions.get(number=2).pk)
    page.get_by_role("heading", name="Version 2").wait_for()
    page.wait_for_selector("text=Publication bloquée", state="detached", timeout=20_000)
    # The last poll answers HX-Refresh and the page reloads: wait for the reloaded page (no
    # more polling) before leaving it, or the navigation below is aborted by the reload.
    page.wait_for_selector("#version-progress:not([hx-get])", state="attached", timeout=20_000)

    page.goto(page.base_url + f"/donnees/{dataset.slug}/")
    page.get_by_label("Public", exact=True).check()
    page.get_by_role("button", name="Enregistrer l’accès").click()
    page.get_by_text("Le niveau d'accès a été enregistré.").wait_for()
    screenshot(page, "public")
    assert not page.js_errors, page.js_errors
    log_out(page)

    page.goto(page.base_url + "/donnees/?q=ateliers")
    page.get_by_role("link", name="Ateliers numériques 2026").click()
    page.get_by_role("columnheader", name="atelier").wait_for()
    assert "Smartphone" in page.content()
    # The dropped column is gone from the data (the versions table still says it was removed).
    assert page.get_by_role("columnheader", name="courriel_contact").count() == 0
    assert "julie.martin@example.fr" not in page.content()
