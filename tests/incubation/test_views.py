"""Pages, exports and API of incubation, through the test client."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from mediane.accounts.services import api_token_create
from mediane.incubation import services
from mediane.incubation.models import AgreementStatus, RequestStatus, SoftLandingRequest
from mediane.notifications.models import Notification
from tests.accounts.factories import TwinningFactory, UserFactory
from tests.directory.factories import TerritoryFactory
from tests.incubation.factories import (
    agreement,
    incubator,
    person,
    secretariat,
    soft_landing_request,
    soft_landing_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return soft_landing_world(places=2, capacity_days=200, home_member=("home", "member"))


def make_request(w, start_in=10, days=5):
    return soft_landing_request(
        w, start_in=start_in, days=days, needs=["desk", "market"], message='=HYPERLINK("x")'
    )


def test_agreement_list_and_page_public_without_contacts(client, world):
    world["agreement"].first_contact = world["home_member"]
    world["agreement"].save()
    proposed = agreement(world["home"], incubator("Autre", "QC"), status=AgreementStatus.PROPOSED)
    page = client.get("/incubateurs/").content.decode()
    assert world["agreement"].title in page and proposed.title not in page
    detail = client.get(world["agreement"].get_absolute_url()).content.decode()
    assert "Programme d’échanges" in detail
    assert world["home_member"].email not in detail
    assert "réservés aux membres du réseau" in detail
    assert client.get(proposed.get_absolute_url()).status_code == 404
    client.force_login(world["home_member"])
    detail = client.get(world["agreement"].get_absolute_url()).content.decode()
    assert world["home_member"].email in detail
    assert client.get(proposed.get_absolute_url()).status_code == 200


def test_agreement_page_links_the_cities_twinning(client, world):
    nevers, shawinigan = TerritoryFactory(name="Nevers"), TerritoryFactory(name="Shawinigan")
    first, second = sorted([nevers, shawinigan], key=lambda t: t.pk)
    TwinningFactory(first=first, second=second)
    world["home"].territory = nevers
    world["home"].save()
    world["host"].territory = shawinigan
    world["host"].save()
    page = client.get(world["agreement"].get_absolute_url()).content.decode()
    assert "Jumelage des villes" in page and nevers.get_absolute_url() in page


def test_propose_and_sign_through_the_pages(client, world):
    partner = incubator("Tiers-lieu de Thetford", "QC", kind="tiers-lieu")
    admin = person(world["home"], "admin")
    partner_admin = person(partner, "admin")
    client.force_login(admin)
    response = client.post(
        "/incubateurs/accords/nouveau/",
        {
            "first": world["home"].pk,
            "second": partner.pk,
            "title": "Accord",
            "start": "2026-01-01",
            "end": "2025-01-01",
        },
    )
    assert response.status_code == 200 and "ne peut précéder son début" in response.content.decode()
    response = client.post(
        "/incubateurs/accords/nouveau/",
        {
            "first": world["home"].pk,
            "second": partner.pk,
            "title": "Inkub – Thetford",
            "start": "2026-01-01",
            "programme": "Mission à Thetford\nAccueil à Nevers",
        },
    )
    made = partner.twinning_agreements_as_second.get()
    assert response.status_code == 302 and made.status == AgreementStatus.PROPOSED
    assert Notification.objects.filter(recipient=partner_admin, topic="incubation").exists()
    assert client.post(f"/incubateurs/accords/{made.pk}/signer/").status_code == 403
    client.force_login(partner_admin)
    client.post(f"/incubateurs/accords/{made.pk}/signer/")
    made.refresh_from_db()
    assert made.status == AgreementStatus.SIGNED
    page = client.get(made.get_absolute_url()).content.decode()
    assert "Mission à Thetford" in page


def test_request_form_and_host_decision_pages(client, world):
    client.force_login(world["founder"])
    form = client.get("/incubateurs/demandes/nouvelle/").content.decode()
    option = f"{world['agreement'].pk}:{world['home'].pk}"
    assert option in form
    start = world["today"] + timedelta(days=7)
    bad = client.post(
        "/incubateurs/demandes/nouvelle/",
        {
            "startup": world["startup"].pk,
            "option": option,
            "start": start,
            "end": start - timedelta(days=1),
        },
    )
    assert "Le départ ne peut précéder" in bad.content.decode()
    response = client.post(
        "/incubateurs/demandes/nouvelle/",
        {
            "startup": world["startup"].pk,
            "option": option,
            "start": start,
            "end": start + timedelta(days=4),
            "needs": ["desk", "mentoring"],
            "message": "Bonjour",
        },
    )
    made = SoftLandingRequest.objects.get()
    assert response.status_code == 302 and made.host == world["host"]

    # the start-up cannot decide
    assert client.post(f"/incubateurs/demandes/{made.pk}/accepter/").status_code == 302
    made.refresh_from_db()
    assert made.status == RequestStatus.REQUESTED

    client.force_login(world["host_editor"])
    inbox = client.get("/incubateurs/accueil/").content.decode()
    assert "Laine connectée" in inbox
    page = client.get(made.get_absolute_url()).content.decode()
    assert "Accepter la demande" in page
    empty_reason = client.post(f"/incubateurs/demandes/{made.pk}/refuser/", {"decline-reason": ""})
    assert empty_reason.status_code == 400
    client.post(f"/incubateurs/demandes/{made.pk}/accepter/", {"accept-note": "Bienvenue"})
    made.refresh_from_db()
    assert made.status == RequestStatus.ACCEPTED and made.decision_note == "Bienvenue"


def test_outsiders_see_nothing(client, world):
    made = make_request(world)
    client.force_login(UserFactory())
    assert client.get(made.get_absolute_url()).status_code == 404
    assert client.get("/incubateurs/accueil/").status_code == 403
    assert client.get("/incubateurs/sejours.csv").status_code == 403
    assert client.get("/incubateurs/demandes/nouvelle/").status_code == 403


def test_capacity_page(client, world):
    client.force_login(world["host_editor"])
    page = client.get("/incubateurs/capacite/").content.decode()
    assert "Périodes déclarées" in page
    start = world["today"] + timedelta(days=300)
    bad = client.post(
        "/incubateurs/capacite/", {"start": start, "end": start - timedelta(days=1), "places": 1}
    )
    assert bad.status_code == 400
    client.post(
        "/incubateurs/capacite/", {"start": start, "end": start + timedelta(days=30), "places": 3}
    )
    assert world["host"].soft_landing_capacities.count() == 2
    client.force_login(world["founder"])
    assert client.get("/incubateurs/capacite/").status_code == 403


def test_exports_hold_the_incubators_stays_neutralised(client, world):
    made = make_request(world, start_in=0)
    services.request_accept(actor=world["host_editor"], request=made)
    services.stay_start(actor=world["host_editor"], request=made)
    services.stay_outcome_record(
        actor=world["host_editor"], request=made, contacts_made=4, jobs_created=1, notes="=1+1"
    )
    other = make_request(world, start_in=30)  # only requested: not a stay
    client.force_login(world["home_member"])
    response = client.get("/incubateurs/sejours.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [int(r["id"]) for r in rows] == [made.pk] and other.pk != made.pk
    assert rows[0]["contacts_made"] == "4" and rows[0]["outcome_notes"] == "'=1+1"
    xlsx = client.get("/incubateurs/sejours.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=2).value == "Laine connectée"
    client.force_login(secretariat())
    assert len(client.get("/incubateurs/sejours.csv").content.decode().splitlines()) == 2


def test_api(client, world):
    made = make_request(world)
    proposed = agreement(world["home"], incubator("Autre", "QC"), status=AgreementStatus.PROPOSED)
    listing = client.get("/api/v1/twinning-agreements").json()
    assert [a["id"] for a in listing["results"]] == [world["agreement"].pk]
    assert (listing["count"], listing["limit"], listing["offset"]) == (1, 20, 0)
    assert listing["results"][0]["in_force"] is True
    assert client.get("/api/v1/twinning-agreements", {"offset": 1}).json()["results"] == []
    assert client.get("/api/v1/twinning-agreements", {"limit": 500}).json()["limit"] == 100
    bad = client.get("/api/v1/twinning-agreements", {"limit": 0})
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"
    public = client.get(f"/api/v1/twinning-agreements/{world['agreement'].pk}").json()
    assert public["contacts"] is None and public["stays"] is None
    missing = client.get(f"/api/v1/twinning-agreements/{proposed.pk}")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert client.get("/api/v1/soft-landing-requests/mine").json() == {
        "count": 0,
        "limit": 20,
        "offset": 0,
        "results": [],
    }

    _token, raw = api_token_create(user=world["founder"], name="tests")
    mine = client.get(
        "/api/v1/soft-landing-requests/mine", HTTP_AUTHORIZATION=f"Bearer {raw}"
    ).json()
    assert mine["count"] == 1
    assert [(r["id"], r["role"]) for r in mine["results"]] == [(made.pk, ["startup"])]
    past_end = client.get(
        "/api/v1/soft-landing-requests/mine?offset=1", HTTP_AUTHORIZATION=f"Bearer {raw}"
    ).json()
    assert (past_end["count"], past_end["results"]) == (1, [])
    detail = client.get(
        f"/api/v1/twinning-agreements/{world['agreement'].pk}", HTTP_AUTHORIZATION=f"Bearer {raw}"
    ).json()
    assert detail["contacts"] == [] and detail["stays"] is None  # the start-up is no side
