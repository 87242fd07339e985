"""Journey: a Lourdes editor drafts a project; while she types, the similar needs of other cities
appear (htmx) and she proposes to pool with Shawinigan's; Shawinigan accepts, so Lourdes becomes
a partner and reaches the workspace, where a task is assigned and the budget shows the gap left;
an anonymous visitor reads the public page only."""

from __future__ import annotations

import pytest

from mediane.cooperation import services
from mediane.cooperation.models import PoolingProposal, Project
from mediane.directory.models import Sector
from tests.browser.test_summit_journey import log_in, log_out
from tests.cooperation.factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_similar_needs_pooling_and_workspace(page, screenshot):
    world = make_world()
    target = services.project_create(
        actor=world.quebec_editor,
        lead=world.shawinigan,
        title="Navettes électriques hivernales",
        summary="Des navettes électriques entre la gare et le centre, même par grand froid.",
        # Transactional tests flush the sectors of the data migration: create it if gone.
        sectors=[
            Sector.objects.get_or_create(
                slug="mobilite", defaults={"name": "Mobilité", "nature": "tech"}
            )[0]
        ],
    )
    services.project_set_status(actor=world.quebec_editor, project=target, to="setup")

    log_in(page, world.lead_editor)
    page.goto(page.base_url + "/cooperation/projets/nouveau/")
    page.get_by_label("Titre").fill("Navettes électriques vers la gare")
    panel = page.locator("#similar-needs")
    panel.get_by_role("link", name="Navettes électriques hivernales").wait_for()
    assert "Termes communs" in panel.inner_text()
    screenshot(page, "similar")
    panel.get_by_role("button", name="Proposer de mutualiser").click()
    page.get_by_text("Proposition envoyée").wait_for()
    proposal = PoolingProposal.objects.get()
    assert (proposal.from_organisation, proposal.to_organisation) == (
        world.lourdes,
        world.shawinigan,
    )

    page.get_by_label("Titre").fill("Navettes électriques vers la gare")
    page.get_by_role("button", name="Créer le brouillon").click()
    page.get_by_text("seuls les partenaires et le secrétariat voient ce projet").wait_for()
    assert Project.objects.filter(title="Navettes électriques vers la gare").exists()
    log_out(page)

    log_in(page, world.quebec_editor)
    page.goto(page.base_url + "/cooperation/propositions/")
    screenshot(page, "proposals")
    page.get_by_role("button", name="Accepter").click()
    page.get_by_text("Proposition acceptée").wait_for()
    assert target.partner_links.filter(organisation=world.lourdes).exists()

    page.goto(page.base_url + target.get_workspace_url() + "?onglet=taches")
    page.get_by_role("textbox", name="Tâche").fill("Partager les mesures de froid")
    page.get_by_label("Responsable").select_option(label=str(world.lead_member))
    page.get_by_role("button", name="Ajouter").click()
    page.get_by_text("La tâche est ajoutée.").wait_for()
    page.get_by_role("link", name="Budget").click()
    page.get_by_role("textbox", name="Budget total").fill("50000")
    page.get_by_role("button", name="Enregistrer le total").click()
    page.get_by_text("Le budget total est enregistré.").wait_for()
    assert "reste à répartir" in page.content()
    screenshot(page, "budget")
    log_out(page)

    page.goto(page.base_url + target.get_absolute_url())
    page.get_by_role("heading", name="Navettes électriques hivernales").wait_for()
    assert page.get_by_role("link", name="Espace de travail").count() == 0
    page.goto(page.base_url + target.get_workspace_url())
    assert "/comptes/connexion/" in page.url
    assert page.js_errors == []
