"""Pages, autosave, review forms, PDF and API of the diagnostic."""

from __future__ import annotations

import pytest

from mediane.accounts.services import api_token_create
from mediane.diagnostic import services
from mediane.diagnostic.models import Answer, DiagnosticStatus
from tests.diagnostic.helpers import answer_all, make_city, secretariat_user, validated

pytestmark = pytest.mark.django_db


def test_list_and_start_page(client):
    city = make_city()
    client.force_login(city.editor)
    page = client.get("/diagnostic/")
    assert page.status_code == 200 and "Ouvrir le diagnostic" in page.content.decode()
    response = client.post("/diagnostic/ouvrir/", {"organisation": city.org.pk, "year": 2025})
    diagnostic = city.org.diagnostics.get()
    assert response.status_code == 302 and response["Location"].endswith("/questionnaire/")
    again = client.post(
        "/diagnostic/ouvrir/", {"organisation": city.org.pk, "year": 2025}, follow=True
    )
    assert "a déjà un diagnostic 2025" in again.content.decode()
    page = client.get(f"/diagnostic/{diagnostic.pk}/questionnaire/")
    body = page.content.decode()
    assert page.status_code == 200
    assert f'hx-post="/diagnostic/{diagnostic.pk}/reponse/1.1/"' in body
    assert "style=" not in body and "<script>" not in body


def test_autosave_fragment_and_errors(client):
    city = make_city()
    diagnostic = services.diagnostic_start(actor=city.editor, organisation=city.org, year=2025)
    client.force_login(city.editor)
    url = f"/diagnostic/{diagnostic.pk}/reponse/2.1/"
    response = client.post(url, {"value": "97"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Enregistré" in response.content.decode()
    assert "niveau 5" in response.content.decode()
    assert (
        Answer.objects.get(diagnostic=diagnostic, question__code="2.1").answered_by == city.editor
    )
    bad = client.post(url, {"value": "beaucoup"}, HTTP_HX_REQUEST="true")
    assert "doit être un nombre" in bad.content.decode()
    perso = client.post(
        f"/diagnostic/{diagnostic.pk}/reponse/2.5/", {"choice": "non"}, HTTP_HX_REQUEST="true"
    )
    assert perso["HX-Refresh"] == "true"
    client.force_login(city.member)
    refused = client.post(url, {"level": "2"}, HTTP_HX_REQUEST="true")
    assert "ne pouvez pas" in refused.content.decode()


def test_submit_then_send_back_then_validate_through_the_pages(client):
    city = make_city()
    diagnostic = services.diagnostic_start(actor=city.editor, organisation=city.org, year=2025)
    client.force_login(city.editor)
    early = client.post(f"/diagnostic/{diagnostic.pk}/soumettre/", follow=True)
    assert "sans réponse" in early.content.decode()
    answer_all(diagnostic, city.editor)
    client.post(f"/diagnostic/{diagnostic.pk}/soumettre/")
    client.force_login(city.admin)
    page = client.get(f"/diagnostic/{diagnostic.pk}/").content.decode()
    assert "Valider le diagnostic" in page
    empty = client.post(f"/diagnostic/{diagnostic.pk}/renvoyer/", {"comment": ""}, follow=True)
    assert "commentaire est obligatoire" in empty.content.decode()
    client.post(f"/diagnostic/{diagnostic.pk}/valider/", {"comment": "OK"})
    diagnostic.refresh_from_db()
    assert diagnostic.status == DiagnosticStatus.VALIDATED


def test_results_page_radar_table_and_no_peer_figures_under_three(client):
    secretariat = secretariat_user()
    city = make_city()
    validated(city, 2024, 2, secretariat)
    diagnostic = validated(city, 2025, 3, secretariat)
    client.force_login(city.member)
    body = client.get(f"/diagnostic/{diagnostic.pk}/").content.decode()
    assert 'class="radar"' in body and "<polygon" in body
    assert "<caption>" in body and "moins de 3 villes" in body
    assert "+1,00" in body or "+1.00" in body  # progress since 2024
    assert "Recommandations pour les dimensions les plus faibles" in body
    other = make_city()
    client.force_login(other.admin)
    assert client.get(f"/diagnostic/{diagnostic.pk}/").status_code == 404


def test_pdf_report(client):
    city = make_city()
    diagnostic = validated(city, 2025, 3, secretariat_user())
    client.force_login(city.member)
    response = client.get(f"/diagnostic/{diagnostic.pk}/rapport.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    client.force_login(make_city().admin)
    assert client.get(f"/diagnostic/{diagnostic.pk}/rapport.pdf").status_code == 404


def test_public_pages(client):
    assert client.get("/diagnostic/reseau/").status_code == 200
    body = client.get("/diagnostic/questionnaire/").content.decode()
    assert "1.1" in body and "8.5" in body


def test_api(client):
    secretariat = secretariat_user()
    cities = [make_city() for _ in range(3)]
    diagnostics = [validated(c, 2025, n + 2, secretariat) for n, c in enumerate(cities)]
    _token, raw = api_token_create(user=cities[0].member, name="tests")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    mine = client.get("/api/v1/diagnostics/mine", **auth).json()
    assert mine["count"] == 1 and mine["results"][0]["overall"] == 2.0
    assert client.get("/api/v1/diagnostics/mine").json()["count"] == 0
    one = client.get(f"/api/v1/diagnostics/{diagnostics[0].pk}", **auth).json()
    assert len(one["answers"]) == 40 and one["size_band"] == "20k-50k"
    hidden = client.get(f"/api/v1/diagnostics/{diagnostics[1].pk}", **auth)
    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"
    stats = client.get("/api/v1/diagnostics/network-stats").json()
    groups = {g["group"]: g for g in stats["groups"]}
    assert groups["network"]["available"] and groups["network"]["overall"]["median"] == 3.0
    assert not groups["lt20k"]["available"] and groups["lt20k"]["overall"]["median"] is None


def test_add_the_suggested_action_to_the_city_plan_in_one_click(client):
    from mediane.plans import services as plan_services
    from mediane.plans.models import Action

    city = make_city()
    diagnostic = validated(city, 2025, 2, secretariat_user())
    plan = plan_services.plan_create(
        actor=city.editor,
        organisation=city.org,
        title="Plan d'avenir",
        start_year=2024,
        end_year=2030,
    )
    client.force_login(city.member)  # a member may not change the plan: no button
    assert "Ajouter au plan" not in client.get(f"/diagnostic/{diagnostic.pk}/").content.decode()
    refused = client.post(
        f"/diagnostic/{diagnostic.pk}/action-plan/",
        {"dimension": "D1", "plan": plan.pk, "question": "1.4"},
        follow=True,
    )
    assert "ne pouvez pas modifier ce plan" in refused.content.decode()
    client.force_login(city.editor)
    page = client.get(f"/diagnostic/{diagnostic.pk}/").content.decode()
    assert "Ajouter au plan « Plan d&#x27;avenir »" in page
    response = client.post(
        f"/diagnostic/{diagnostic.pk}/action-plan/",
        {"dimension": "D1", "plan": plan.pk, "question": "1.4"},
        follow=True,
    )
    action = Action.objects.get(plan=plan)
    assert action.title.startswith("Faire adopter une stratégie numérique")
    assert list(action.questions.values_list("code", flat=True)) == ["1.4"]
    assert "ajoutée au plan" in response.content.decode()


def test_questionnaire_texts_follow_the_language(client):
    """The questionnaire ships in both languages: English pages show its English texts."""
    french = client.get("/diagnostic/questionnaire/").content.decode()
    assert "Stratégie, pilotage politique et gouvernance" in french
    assert "Aucune stratégie écrite ; des projets décidés au cas par cas." in french
    client.cookies["django_language"] = "en"
    english = client.get("/diagnostic/questionnaire/").content.decode()
    assert "Strategy, leadership and governance" in english
    assert "No written strategy; projects decided case by case." in english
    assert "Stratégie, pilotage politique et gouvernance" not in english
