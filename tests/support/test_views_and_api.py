"""Pages, exports and API of support: who reads what, forms with French errors, no 500."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.urls import reverse

from mediane.accounts.services import api_token_create
from mediane.support import services
from mediane.support.models import SupportRequest, SupportStatus
from tests.support.test_services import file


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def auth(user) -> dict[str, str]:
    _token, raw = api_token_create(user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_request_page_is_readable_by_its_parties_only(client, world):
    request = file(world)
    url = reverse("support:detail", kwargs={"pk": request.pk})
    assert client.get(url).status_code == 302  # to the login page
    for user, status in (
        (world.outsider, 404),
        (world.firm_editor, 404),
        (world.requester, 200),
        (world.colleague, 200),
        (world.local_user, 200),
        (world.secretariat, 200),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    services.support_offer_decline(actor=world.local_user, request=request, reason="Pas le temps")
    client.force_login(world.local_user)
    assert client.get(url).status_code == 404  # a declined expert no longer reads it


def test_file_form_shows_french_errors_then_files(client, world):
    client.force_login(world.requester)
    url = reverse("support:file")
    page = client.get(url)
    assert page.status_code == 200
    assert "Demander un accompagnement" in page.content.decode()
    bad = client.post(
        url, {"organisation": world.city_org.pk, "subject": "", "description": "court"}
    )
    assert bad.status_code == 200
    assert "Ce champ est obligatoire" in bad.content.decode()
    short = client.post(
        url,
        {
            "organisation": world.city_org.pk,
            "subject": "Données",
            "description": "court",
            "territory": world.city.pk,
            "language": "fr",
            "urgency": "normal",
        },
    )
    assert "20 caractères au moins" in short.content.decode()
    done = client.post(
        url,
        {
            "organisation": world.city_org.pk,
            "subject": "Ouvrir nos données",
            "description": "Publier les horaires de bus en données ouvertes.",
            "territory": world.city.pk,
            "language": "fr",
            "urgency": "high",
            "skills": [world.data.pk],
        },
    )
    created = SupportRequest.objects.get()
    assert done.status_code == 302 and done["Location"] == created.get_absolute_url()
    assert created.status == SupportStatus.ROUTED and created.urgency == "high"


def test_people_without_a_city_or_company_cannot_file(client, world):
    client.force_login(world.firm_editor)  # editor of a consultancy
    assert client.get(reverse("support:file")).status_code == 403


def test_expert_takes_from_the_page_and_a_second_take_is_a_message_not_a_500(client, world):
    request = file(world)
    client.force_login(world.local_user)
    inbox = client.get(reverse("support:inbox"))
    assert request.subject in inbox.content.decode()
    response = client.post(reverse("support:take", kwargs={"pk": request.pk}), follow=True)
    assert "Vous avez pris cette demande en charge" in response.content.decode()
    client.force_login(world.dep_user)
    response = client.post(reverse("support:take", kwargs={"pk": request.pk}))
    assert response.status_code in (403, 404)  # no longer theirs to read


def test_decline_page_requires_a_reason(client, world):
    request = file(world)
    client.force_login(world.local_user)
    url = reverse("support:decline", kwargs={"pk": request.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "obligatoire" in response.content.decode()
    response = client.post(url, {"reason": "Je suis en congé"})
    assert response.status_code == 302


def test_message_and_close_pages(client, world):
    request = file(world)
    services.support_offer_take(actor=world.local_user, request=request)
    client.force_login(world.requester)
    client.post(reverse("support:message", kwargs={"pk": request.pk}), {"body": "Merci !"})
    assert request.messages.get().body == "Merci !"
    url = reverse("support:close", kwargs={"pk": request.pk})
    response = client.post(url, {"outcome": "", "satisfaction": ""})
    assert response.status_code == 200
    response = client.post(url, {"outcome": "Portail ouvert", "satisfaction": "5"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "closed" and request.satisfaction == 5


def test_secretariat_pages_and_exports_are_for_the_secretariat_only(client, world):
    request = file(world, subject='=HYPERLINK("x")')
    for name in ("support:follow_up", "support:staff_list", "support:export_csv"):
        client.force_login(world.requester)
        assert client.get(reverse(name)).status_code == 403, name
        client.force_login(world.secretariat)
        assert client.get(reverse(name)).status_code == 200, name
    client.force_login(world.secretariat)
    csv_text = client.get(reverse("support:export_csv")).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text  # neutralised
    assert "Ville de Lourdes" in csv_text
    filtered = client.get(reverse("support:export_csv") + "?status=closed")
    assert request.organisation.name not in filtered.content.decode("utf-8-sig")
    xlsx = client.get(reverse("support:export_xlsx"))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["B2"].value.startswith("'=")
    route = client.get(reverse("support:route", kwargs={"pk": request.pk}))
    assert route.status_code == 200


def test_api_mine_and_get(client, world):
    request = file(world)
    anonymous = client.get("/api/v1/support/requests/mine")
    assert anonymous.status_code == 200 and anonymous.json()["count"] == 0
    assert client.get(f"/api/v1/support/requests/{request.pk}").status_code == 404
    assert client.get("/api/v1/support/offers/mine").json()["count"] == 0
    bad_token = {"HTTP_AUTHORIZATION": "Bearer nope"}
    assert client.get("/api/v1/support/requests/mine", **bad_token).status_code == 401
    mine = client.get("/api/v1/support/requests/mine", **auth(world.colleague)).json()
    assert [r["id"] for r in mine["results"]] == [request.pk]
    assert client.get("/api/v1/support/requests/mine", **auth(world.outsider)).json()["count"] == 0
    url = f"/api/v1/support/requests/{request.pk}"
    missing = client.get(url, **auth(world.outsider))
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    body = client.get(url, **auth(world.requester)).json()
    assert len(body["offers"]) == 3 and body["status"] == "routed"
    expert_view = client.get(url, **auth(world.local_user)).json()
    assert [o["expert"]["name"] for o in expert_view["offers"]] == ["Locale"]
    offers = client.get("/api/v1/support/offers/mine", **auth(world.local_user)).json()
    assert [o["request"]["id"] for o in offers["results"]] == [request.pk]
    assert client.get("/api/v1/support/requests/abc", **auth(world.requester)).status_code == 422


def test_the_expert_sees_why_and_the_requester_sees_every_offer(client, world):
    request = file(world)
    url = reverse("support:detail", kwargs={"pk": request.pk})
    client.force_login(world.local_user)
    page = client.get(url).content.decode()
    assert "Pourquoi vous" in page and "sert ce territoire" in page
    assert "Départementale" not in page  # the other experts offered are not shown to an expert
    assert "Prendre en charge" in page
    client.force_login(world.requester)
    page = client.get(url).content.decode()
    assert "Experts sollicités" in page and "Départementale" in page
    assert "Prendre en charge" not in page
