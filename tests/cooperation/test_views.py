import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from mediane.cooperation import services
from mediane.cooperation.models import PoolingProposal
from mediane.cooperation.services import ShareInput
from mediane.market import services as market
from tests.market.factories import NOW, challenge_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def pooled(world):
    project = world.project(
        summary="Des navettes électriques entre la gare et le centre", goals="Moins de voitures"
    )
    services.partner_add(actor=world.lead_editor, project=project, organisation=world.nevers)
    services.partner_add(actor=world.lead_editor, project=project, organisation=world.shawinigan)
    services.budget_set(
        actor=world.lead_editor,
        project=project,
        total="60000",
        currency="EUR",
        shares=[
            ShareInput(world.lourdes, "30000", "EUR"),
            ShareInput(world.shawinigan, "45000", "CAD", "0.666667", date(2026, 1, 5)),
        ],
    )
    services.project_set_status(actor=world.lead_editor, project=project, to="setup")
    services.decision_record(
        actor=world.lead_editor,
        project=project,
        decided_on=date(2026, 1, 10),
        decision="Lancer l'étude de trafic",
        made_by="Comité de pilotage",
    )
    return project


def _login(client, user):
    client.force_login(user)
    return client


def test_hub_list_and_public_page_for_visitors(client, pooled):
    assert client.get(reverse("cooperation:hub")).status_code == 200
    response = client.get(reverse("cooperation:project_list"))
    assert pooled.title in response.content.decode()
    page = client.get(pooled.get_absolute_url()).content.decode()
    assert "Lourdes" in page and "Shawinigan" in page
    assert "60 000,00 EUR" in page.replace("\u202f", " ").replace("\xa0", " ")
    assert "Espace de travail" not in page
    assert "Lancer l&#x27;étude" not in page and "Lancer l'étude" not in page
    response = client.get(pooled.get_workspace_url())
    assert response.status_code == 302  # login first


def test_partner_sees_the_workspace_tabs_others_are_refused(client, world, pooled):
    _login(client, world.outsider)
    assert client.get(pooled.get_workspace_url()).status_code == 403
    client.force_login(world.partner_member)
    for tab in ("discussions", "taches", "decisions", "documents", "budget", "phases"):
        response = client.get(pooled.get_workspace_url() + f"?onglet={tab}")
        assert response.status_code == 200, tab
    body = client.get(pooled.get_workspace_url() + "?onglet=decisions").content.decode()
    assert "Lancer l" in body and "Comité de pilotage" in body
    budget = client.get(pooled.get_workspace_url() + "?onglet=budget").content.decode()
    assert "0,02" in budget  # the gap left: 60 000 − 30 000 − 30 000.02 (rounding) shown


def test_forms_give_french_errors_and_write(client, world, pooled):
    _login(client, world.partner_member)
    url = reverse("cooperation:thread_create", args=[pooled.slug])
    response = client.post(url, {"title": "Calendrier", "body": "Réunion mardi ?"}, follow=True)
    assert "La discussion est ouverte." in response.content.decode()
    response = client.post(
        reverse("cooperation:decision_create", args=[pooled.slug]),
        {"decided_on": "2026-02-01", "decision": "x", "made_by": "y"},
    )
    assert response.status_code == 403  # a member does not record decisions
    client.force_login(world.lead_editor)
    response = client.post(
        reverse("cooperation:budget_share", args=[pooled.slug]),
        {"organisation": world.nevers.pk, "amount": "abc", "currency": "EUR", "rate": "1"},
        follow=True,
    )
    assert "Montant : nombre attendu." in response.content.decode()
    response = client.post(
        reverse("cooperation:project_status", args=[pooled.slug]), {"to": "completed"}, follow=True
    )
    assert "ne peut pas passer de l’état" in response.content.decode().replace(
        "&#x27;", "'"
    ).replace("'", "’")
    response = client.post(
        reverse("cooperation:document_upload", args=[pooled.slug]),
        {"file": io.BytesIO(b"<html>not a pdf</html>"), "title": "Faux"},
        follow=True,
    )
    assert "ne correspond pas à son extension" in response.content.decode() or "non accepté" in (
        response.content.decode()
    )


def test_project_create_form(client, world):
    _login(client, world.lead_editor)
    assert client.get(reverse("cooperation:project_create")).status_code == 200
    response = client.post(
        reverse("cooperation:project_create"),
        {"lead": world.lourdes.pk, "title": "", "visibility": "public"},
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    response = client.post(
        reverse("cooperation:project_create"),
        {"lead": world.lourdes.pk, "title": "Jardins partagés", "visibility": "public"},
    )
    assert response.status_code == 302
    _login(client, world.outsider)
    assert client.get(reverse("cooperation:project_create")).status_code == 403


def test_similar_fragment_and_proposal(client, world, pooled):
    challenge = market.challenge_create(
        actor=world.quebec_editor,
        lead_issuer=world.shawinigan,
        data=challenge_input(title="Navettes électriques vers la gare"),
        now=NOW,
    )
    market.challenge_submit(actor=world.quebec_editor, challenge=challenge, now=NOW)
    market.challenge_publish(actor=world.secretariat, challenge=challenge, now=NOW)
    _login(client, world.partner_editor)
    response = client.post(
        reverse("cooperation:similar"),
        {
            "need_kind": "project",
            "title": "Navettes électriques",
            "summary": "gare",
            "lead": world.nevers.pk,
        },
    )
    body = response.content.decode()
    assert "Navettes électriques vers la gare" in body and "Proposer de mutualiser" in body
    response = client.post(
        reverse("cooperation:proposal_create"),
        {
            "kind": "challenge",
            "target": challenge.pk,
            "from_organisation": world.nevers.pk,
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("cooperation:proposals")
    proposal = PoolingProposal.objects.get()
    assert proposal.to_organisation == world.shawinigan
    _login(client, world.quebec_editor)
    page = client.get(reverse("cooperation:proposals")).content.decode()
    assert "Accepter" in page
    client.post(reverse("cooperation:proposal_answer", args=[proposal.pk, "decliner"]))
    proposal.refresh_from_db()
    assert proposal.status == "declined"
    # Someone else's proposal is a 404.
    _login(client, world.outsider)
    response = client.post(reverse("cooperation:proposal_answer", args=[proposal.pk, "accepter"]))
    assert response.status_code == 404


def test_needs_page(client, world, pooled):
    response = client.get(reverse("cooperation:needs"))
    assert response.status_code == 200


def test_exports_hold_only_visible_projects(client, world, pooled):
    draft = world.project(title="Brouillon secret")
    response = client.get(reverse("cooperation:export_csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["slug"] for r in rows] == [pooled.slug]
    assert rows[0]["partners"] == "Nevers, Shawinigan" and rows[0]["budget_total"] == "60000.0"
    _login(client, world.lead_member)
    response = client.get(reverse("cooperation:export_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    slugs = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert slugs == {pooled.slug, draft.slug}


def test_api_public_fields_for_others_workspace_for_partners(client, world, pooled):
    from django.core.cache import cache

    from mediane.accounts.services import api_token_create

    cache.clear()
    data = client.get("/api/v1/projects").json()
    assert [p["slug"] for p in data["results"]] == [pooled.slug]
    detail = client.get(f"/api/v1/projects/{pooled.slug}").json()
    assert detail["workspace"] is None and detail["budget_total"] in ("60000.00", 60000.0)
    assert client.get("/api/v1/projects?status=unknown").json()["code"] == "validation_error"
    draft = world.project(title="Brouillon")
    response = client.get(f"/api/v1/projects/{draft.slug}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    _token, raw = api_token_create(user=world.partner_member, name="t")
    detail = client.get(
        f"/api/v1/projects/{pooled.slug}", HTTP_AUTHORIZATION=f"Bearer {raw}"
    ).json()
    assert detail["workspace"]["decisions"][0]["made_by"] == "Comité de pilotage"
    assert len(detail["workspace"]["budget_shares"]) == 2
    needs = client.get("/api/v1/similar-needs?title=navettes").json()
    assert isinstance(needs, list)


def test_the_challenge_form_shows_similar_needs_of_other_cities(client, world, pooled):
    _login(client, world.quebec_editor)
    page = client.get(reverse("market:challenge_create")).content.decode()
    assert 'id="similar-needs"' in page and 'hx-include="#challenge-form"' in page
    response = client.post(
        reverse("cooperation:similar"),
        {
            "need_kind": "challenge",
            "title": "Navettes électriques",
            "problem": "gare centre",
            "lead_issuer": world.shawinigan.pk,
        },
    )
    body = response.content.decode()
    # Shawinigan already takes part in Lourdes' project: not proposed again; Nevers' need is.
    assert pooled.title not in body
    other = services.project_create(
        actor=world.partner_editor, lead=world.nevers, title="Navettes électriques de Nevers"
    )
    services.project_set_status(actor=world.partner_editor, project=other, to="setup")
    body = client.post(
        reverse("cooperation:similar"),
        {
            "need_kind": "challenge",
            "title": "Navettes électriques",
            "problem": "gare centre",
            "lead_issuer": world.shawinigan.pk,
        },
    ).content.decode()
    assert other.title in body and "Proposer de mutualiser" in body


def test_phases_and_milestones_from_the_workspace(client, world, pooled):
    _login(client, world.lead_editor)
    url = reverse("cooperation:phase_create", args=[pooled.slug])
    response = client.post(
        url, {"title": "Étude", "starts_on": "2026-03-01", "ends_on": "2026-01-01"}, follow=True
    )
    assert "La fin de la phase doit suivre son début." in response.content.decode()
    client.post(url, {"title": "Étude", "starts_on": "2026-01-01", "ends_on": "2026-03-01"})
    phase = pooled.phases.get()
    client.post(
        reverse("cooperation:milestone_create", args=[pooled.slug, phase.pk]),
        {"title": "Comptages", "due_on": "2026-02-01"},
    )
    milestone = phase.milestones.get()
    _login(client, world.partner_member)  # partners tick milestones, only the lead edits phases
    client.post(
        reverse("cooperation:milestone_done", args=[pooled.slug, milestone.pk]), {"done": "1"}
    )
    milestone.refresh_from_db()
    assert milestone.done and milestone.done_at is not None
    response = client.post(reverse("cooperation:phase_delete", args=[pooled.slug, phase.pk]))
    assert response.status_code == 403
    _login(client, world.lead_editor)
    client.post(reverse("cooperation:phase_delete", args=[pooled.slug, phase.pk]))
    assert not pooled.phases.exists()


def test_project_edit_keeps_its_territories_and_refuses_others(client, world, pooled):
    from tests.directory.factories import TerritoryFactory

    lonely = TerritoryFactory(name="Hameau sans organisation")
    pooled.territories.add(lonely)
    _login(client, world.partner_editor)
    assert client.get(reverse("cooperation:project_edit", args=[pooled.slug])).status_code == 403
    _login(client, world.lead_editor)
    page = client.get(reverse("cooperation:project_edit", args=[pooled.slug])).content.decode()
    assert "Hameau sans organisation" in page
    response = client.post(
        reverse("cooperation:project_edit", args=[pooled.slug]),
        {
            "title": "Navettes partagées",
            "goals": "Un\nDeux",
            "visibility": "network",
            "territories": [lonely.slug],
        },
    )
    assert response.status_code == 302
    pooled.refresh_from_db()
    assert (pooled.title, pooled.goals, pooled.visibility) == (
        "Navettes partagées",
        "Un\nDeux",
        "network",
    )
    assert list(pooled.territories.all()) == [lonely]


def test_documents_upload_download_and_who_sees_them(client, world, pooled):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mediane.demo.cooperation_data import _pdf

    _login(client, world.partner_member)
    upload = SimpleUploadedFile("convention.pdf", _pdf("Convention", ["ligne"]), "application/pdf")
    response = client.post(
        reverse("cooperation:document_upload", args=[pooled.slug]),
        {"file": upload, "title": "Convention"},
        follow=True,
    )
    assert "Le document est déposé." in response.content.decode()
    document = pooled.documents.get()
    url = reverse("cooperation:document", args=[pooled.slug, document.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    _login(client, world.quebec_editor)  # a partner too
    assert client.get(url).status_code == 200
    _login(client, world.outsider)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    _login(client, world.lead_member)  # a partner member who did not upload it
    client.post(reverse("cooperation:document_delete", args=[pooled.slug, document.pk]))
    assert pooled.documents.exists()
    _login(client, world.partner_member)
    client.post(reverse("cooperation:document_delete", args=[pooled.slug, document.pk]))
    assert not pooled.documents.exists()
