"""Label pages, badge, certificate and API: who sees what, French messages, no 500."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from pypdf import PdfReader

from mediane.accounts.services import api_token_create
from mediane.labels import services
from mediane.labels.models import Label, LabelEvaluation
from tests.labels.factories import LabelWorld, awarded, give_diagnostic, make_eligible

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle() -> None:
    cache.clear()


def bearer(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _token, raw = api_token_create(user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_public_index_lists_labelled_cities_and_the_criteria(client, world: LabelWorld) -> None:
    page = client.get("/label/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Aucune ville n’a encore le label" in text
    assert "Niveau 3 ou plus dans au moins 5 dimensions sur 8" in text
    awarded(world)
    text = client.get("/label/").content.decode()
    assert "Lourdes" in text and "/label/badge/lourdes.svg" in text
    assert "Nevers" not in text


def test_expired_labels_leave_the_public_list(client, world: LabelWorld) -> None:
    label = awarded(world)
    today = timezone.localdate()
    Label.objects.filter(pk=label.pk).update(
        valid_from=today - timedelta(days=365), valid_until=today
    )
    assert "/label/ville/lourdes/" in client.get("/label/").content.decode()
    Label.objects.filter(pk=label.pk).update(
        valid_from=timezone.localdate().replace(year=2020),
        valid_until=timezone.localdate().replace(year=2021),
    )
    assert "/label/ville/lourdes/" not in client.get("/label/").content.decode()


def test_badge_is_public_cacheable_and_says_expired(client, world: LabelWorld) -> None:
    assert client.get("/label/badge/lourdes.svg").status_code == 404
    label = awarded(world)
    response = client.get("/label/badge/lourdes.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    svg = response.content.decode()
    assert "<svg" in svg and "Lourdes" in svg and "VILLE NUMÉRIQUE ENGAGÉE" in svg
    assert "expiré" not in svg and "style=" not in svg
    Label.objects.filter(pk=label.pk).update(status="expired")
    assert "expiré" in client.get("/label/badge/lourdes.svg").content.decode()


def test_verification_page_is_public_without_the_evidence(client, world: LabelWorld) -> None:
    label = awarded(world)
    page = client.get(f"/label/verifier/{label.reference}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Label valide" in text and "Diagnostic validé depuis moins de 12 mois" in text
    assert "Subventions 2025" not in text  # evidence stays with the city and the secretariat
    assert "Télécharger le certificat" not in text  # anonymous: no certificate, no snippet
    assert "badge-snippet" not in text
    assert client.get("/label/verifier/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/label/ville/lourdes/").status_code == 200
    assert client.get("/label/ville/nevers/").status_code == 404


def test_certificate_pdf_for_the_city_and_the_secretariat(client, world: LabelWorld) -> None:
    label = awarded(world)
    url = f"/label/certificat/{label.reference}.pdf"
    assert client.get(url).status_code == 302  # to the login page
    for user, status in ((world.outsider, 403), (world.other_editor, 403)):
        client.force_login(user)
        assert client.get(url).status_code == status
    for user in (world.member, world.secretariat):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "lourdes" in response["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Lourdes" in text and "ville numérique engagée" in text
    assert "Au moins un jeu de données public conforme à un schéma" in text
    assert str(label.reference) in text


def test_city_editor_requests_an_evaluation_from_the_page(client, world: LabelWorld) -> None:
    make_eligible(world.city)
    client.force_login(world.editor)
    page = client.get("/label/evaluations/")
    assert (
        'value="lourdes"' in page.content.decode() and 'value="nevers"' not in page.content.decode()
    )
    response = client.post("/label/evaluations/demander/", {"city": "lourdes"}, follow=True)
    text = response.content.decode()
    assert "5 critères remplis sur 5" in text
    assert "jeu de données « Subventions 2025 »" in text
    assert "Confirmer et attribuer" not in text  # the city cannot confirm itself
    again = client.post("/label/evaluations/demander/", {"city": "lourdes"}, follow=True)
    assert "attend déjà la décision du secrétariat" in again.content.decode()
    other = client.post("/label/evaluations/demander/", {"city": "nevers"}, follow=True)
    assert "Choisissez une ville" in other.content.decode()
    assert LabelEvaluation.objects.count() == 1


def test_a_member_reads_but_cannot_request(client, world: LabelWorld) -> None:
    evaluation = services.evaluation_request(actor=world.editor, organisation=world.city)
    client.force_login(world.member)
    assert client.get(evaluation.get_absolute_url()).status_code == 200
    assert "Lancer l’évaluation" not in client.get("/label/evaluations/").content.decode()
    client.post("/label/evaluations/demander/", {"city": "lourdes"})
    assert LabelEvaluation.objects.count() == 1
    assert client.post(f"/label/evaluations/{evaluation.pk}/confirmer/").status_code == 403


def test_evaluations_of_other_cities_are_404(client, world: LabelWorld) -> None:
    evaluation = services.evaluation_request(actor=world.editor, organisation=world.city)
    for user in (world.other_editor, world.outsider):
        client.force_login(user)
        assert client.get(evaluation.get_absolute_url()).status_code == 404
        assert (
            client.post(f"/label/evaluations/{evaluation.pk}/refuser/", {"reason": "x"}).status_code
            == 404
        )
        assert "Lourdes" not in client.get("/label/evaluations/").content.decode()
    client.logout()
    assert client.get(evaluation.get_absolute_url()).status_code == 302


def test_secretariat_confirms_from_the_page(client, world: LabelWorld) -> None:
    make_eligible(world.city)
    evaluation = services.evaluation_request(actor=world.editor, organisation=world.city)
    client.force_login(world.secretariat)
    assert "Lourdes" in client.get("/label/evaluations/").content.decode()
    response = client.post(f"/label/evaluations/{evaluation.pk}/confirmer/", follow=True)
    text = response.content.decode()
    assert (
        "Label attribué à Lourdes jusqu’au" in text or "Label attribué à Lourdes jusqu'au" in text
    )
    assert "Télécharger le certificat (PDF)" in text and "badge-snippet" in text
    twice = client.post(f"/label/evaluations/{evaluation.pk}/confirmer/", follow=True)
    assert "déjà été tranchée" in twice.content.decode()


def test_confirming_an_unmet_evaluation_says_why(client, world: LabelWorld) -> None:
    give_diagnostic(world.city, [2] * 8)
    evaluation = services.evaluation_request(actor=world.editor, organisation=world.city)
    client.force_login(world.secretariat)
    page = client.get(evaluation.get_absolute_url()).content.decode()
    assert "Tous les critères ne sont pas remplis" in page
    response = client.post(f"/label/evaluations/{evaluation.pk}/confirmer/", follow=True)
    assert "critères non remplis" in response.content.decode()
    assert not Label.objects.exists()


def test_refusal_needs_a_reason(client, world: LabelWorld) -> None:
    evaluation = services.evaluation_request(actor=world.editor, organisation=world.city)
    client.force_login(world.secretariat)
    response = client.post(f"/label/evaluations/{evaluation.pk}/refuser/", {"reason": ""})
    assert response.status_code == 422
    assert "Indiquez le motif du refus." in response.content.decode()
    response = client.post(
        f"/label/evaluations/{evaluation.pk}/refuser/", {"reason": "Pas de plan."}, follow=True
    )
    assert "Pas de plan." in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == "refused"


def test_api_list_is_public(client, world: LabelWorld) -> None:
    assert client.get("/api/v1/labels").json() == []
    label = awarded(world)
    [row] = client.get("/api/v1/labels").json()
    assert row["reference"] == str(label.reference)
    assert row["city"]["slug"] == "lourdes"
    assert row["valid_until"] == label.valid_until.isoformat()
    assert len(row["criteria_met"]) == 5
    assert row["badge_url"].endswith("/label/badge/lourdes.svg")


def test_api_evaluation_is_permission_aware(client, world: LabelWorld) -> None:
    make_eligible(world.city)
    evaluation = services.evaluation_request(actor=world.editor, organisation=world.city)
    url = f"/api/v1/labels/evaluations/{evaluation.pk}"
    anonymous = client.get(url)
    assert anonymous.status_code == 404 and anonymous.json()["code"] == "not_found"
    assert client.get(url, **bearer(world.other_editor)).status_code == 404
    assert client.get(url, HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    data = client.get(url, **bearer(world.member)).json()
    assert data["status"] == "pending" and data["passed_count"] == 5 and data["label"] is None
    assert data["results"][3]["evidence"][0]["text"].startswith("jeu de données")
    services.evaluation_confirm(actor=world.secretariat, evaluation=evaluation)
    data = client.get(url, **bearer(world.secretariat)).json()
    assert data["status"] == "confirmed" and data["label"]["city"]["name"] == "Lourdes"
    assert client.get("/api/v1/labels/evaluations/abc").json()["code"] == "validation_error"
