"""Pages, API and exports of solutions read through the same selectors: drafts and sheets a
reader may not see never leak; replicating through the page lands on the draft challenge."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from mediane.solutions import services
from mediane.solutions.models import Replication
from tests.solutions.factories import make_sheet, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = make_world()
    world.public = make_sheet(world, title="Compteurs d'eau connectés")
    world.network = make_sheet(world, title="Portail de données ouvertes", visibility="network")
    world.private = make_sheet(world, title="Plateforme interne", visibility="private")
    world.draft = make_sheet(world, title="Brouillon confidentiel", status="draft")
    return world


def titles(response) -> set[str]:
    text = response.content.decode()
    return {
        t
        for t in (
            "Compteurs d&#x27;eau connectés",
            "Portail de données ouvertes",
            "Plateforme interne",
            "Brouillon confidentiel",
        )
        if t in text
    }


def test_list_shows_what_each_reader_may_read(client, world):
    assert titles(client.get("/solutions/")) == {"Compteurs d&#x27;eau connectés"}
    client.force_login(world.lourdes_member)
    assert titles(client.get("/solutions/")) == {
        "Compteurs d&#x27;eau connectés",
        "Portail de données ouvertes",
    }
    client.force_login(world.nevers_member)
    assert len(titles(client.get("/solutions/"))) == 4


def test_list_filters_and_search(client, world):
    response = client.get("/solutions/", {"city": "ville-de-lourdes"})
    assert titles(response) == set()
    response = client.get("/solutions/", {"supplier": "capteurs-du-centre", "country": "FR"})
    assert titles(response) == {"Compteurs d&#x27;eau connectés"}
    assert titles(client.get("/solutions/", {"q": "compteurs"})) == {
        "Compteurs d&#x27;eau connectés"
    }
    assert titles(client.get("/solutions/", {"q": "brouillon"})) == set()


def test_sheet_pages_404_for_readers_who_may_not_read_them(client, world):
    assert client.get(f"/solutions/{world.public.slug}/").status_code == 200
    for sheet in (world.network, world.private, world.draft):
        assert client.get(f"/solutions/{sheet.slug}/").status_code == 404
    client.force_login(world.lourdes_editor)
    assert client.get(f"/solutions/{world.private.slug}/").status_code == 404
    assert client.get(f"/solutions/{world.public.slug}/modifier/").status_code == 403


def test_create_through_the_form_with_errors_then_success(client, world):
    client.force_login(world.nevers_editor)
    form = {
        "organisation": world.nevers.pk,
        "title": "Éclairage LED piloté",
        "problem": "Facture d'électricité de l'éclairage public trop lourde.",
        "solution": "",
        "currency": "EUR",
        "visibility": "public",
        "status": "published",
        "contact_role": "Services techniques",
        "ind_0_name": "Consommation",
        "ind_0_value_before": "1 200",
        "ind_0_value_after": "douze",
    }
    response = client.post("/solutions/nouvelle/", form)
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    form["solution"] = "Remplacement de 4 000 points lumineux, télégestion."
    response = client.post("/solutions/nouvelle/", form)
    assert response.status_code == 200
    assert "Saisissez un nombre" in response.content.decode()
    form["ind_0_value_after"] = "480"
    response = client.post("/solutions/nouvelle/", form)
    sheet = world.nevers.solution_sheets.get(title="Éclairage LED piloté")
    assert response.status_code == 302 and response["Location"] == sheet.get_absolute_url()
    assert sheet.indicators.get().value_before == 1200


def test_replicate_page_lands_on_the_draft_and_shows_on_both_sides(client, world):
    client.force_login(world.lourdes_editor)
    page = client.get(f"/solutions/{world.public.slug}/")
    assert "Reproduire dans ma ville" in page.content.decode()
    response = client.post(
        f"/solutions/{world.public.slug}/reproduire/",
        {"organisation": world.lourdes.pk, "kind": "challenge", "title": ""},
    )
    replication = Replication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == replication.challenge.get_absolute_url()
    draft = client.get(response["Location"])
    assert "Reproduit à partir de la solution" in draft.content.decode()
    sheet_page = client.get(f"/solutions/{world.public.slug}/").content.decode()
    assert "Ville de Lourdes" in sheet_page and "Brouillon" in sheet_page
    network = client.get("/solutions/reproductions/").content.decode()
    assert "Compteurs d&#x27;eau connectés" in network and "Ville de Lourdes" in network
    geo = client.get("/solutions/reproductions/carte.geojson").json()
    lines = [f for f in geo["features"] if f["geometry"]["type"] == "LineString"]
    assert lines[0]["properties"]["from"] == "Ville de Nevers"
    assert lines[0]["geometry"]["coordinates"] == [[3.16, 46.99], [-0.05, 43.09]]


def test_replicate_page_refused_to_the_source_city_and_members(client, world):
    client.force_login(world.nevers_editor)
    assert (
        "Reproduire dans ma ville"
        not in client.get(f"/solutions/{world.public.slug}/").content.decode()
    )
    assert client.get(f"/solutions/{world.public.slug}/reproduire/").status_code == 403
    client.force_login(world.lourdes_member)
    response = client.post(
        f"/solutions/{world.public.slug}/reproduire/",
        {"organisation": world.lourdes.pk, "kind": "challenge"},
    )
    assert response.status_code == 403
    assert not Replication.objects.exists()


def test_draft_replications_are_for_the_network_only(client, world):
    services.solution_replicate(
        actor=world.lourdes_editor, sheet=world.public, organisation=world.lourdes
    )
    assert "Ville de Lourdes" not in client.get("/solutions/reproductions/").content.decode()
    assert client.get("/api/v1/solutions/replications").json()["count"] == 0
    client.force_login(world.company_admin)
    assert "Ville de Lourdes" in client.get("/solutions/reproductions/").content.decode()


def test_api_lists_published_readable_sheets_only(client, world):
    data = client.get("/api/v1/solutions").json()
    assert [item["title"] for item in data["results"]] == ["Compteurs d'eau connectés"]
    assert (data["count"], data["limit"], data["offset"]) == (1, 20, 0)
    assert client.get(f"/api/v1/solutions/{world.draft.slug}").status_code == 404
    body = client.get(f"/api/v1/solutions/{world.network.slug}").json()
    assert body["code"] == "not_found" and body["message"]
    detail = client.get(f"/api/v1/solutions/{world.public.slug}").json()
    assert detail["indicators"][0]["name"] == "Temps moyen de recherche"
    assert detail["contact_role"] == "Direction de la mobilité"
    assert client.get("/api/v1/solutions", {"limit": 1000}).json()["limit"] == 100  # capped
    assert client.get("/api/v1/solutions", {"offset": 5}).json()["results"] == []
    for bad in ({"limit": 0}, {"limit": "x"}, {"offset": -1}):
        response = client.get("/api/v1/solutions", bad)
        assert response.status_code == 422 and response.json()["code"] == "validation_error"
        assert [e["field"] for e in response.json()["errors"]] == list(bad)


def test_api_replications_of_a_sheet(client, world):
    services.solution_replicate(
        actor=world.lourdes_editor, sheet=world.public, organisation=world.lourdes
    )
    url = f"/api/v1/solutions/{world.public.slug}/replications"
    assert client.get(url).json()["count"] == 0  # a draft challenge: network only
    from mediane.accounts.services import api_token_create

    _token, raw = api_token_create(user=world.lourdes_member, name="tests")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    body = client.get(url, **auth).json()
    items = body["results"]
    assert (body["count"], body["limit"], body["offset"]) == (1, 20, 0)
    assert items[0]["city"] == "Ville de Lourdes" and items[0]["status"] == "draft"
    assert items[0]["target_url"] is None  # a member cannot read the draft challenge
    assert client.get(url, {"offset": 1}, **auth).json() == {
        "count": 1,
        "limit": 20,
        "offset": 1,
        "results": [],
    }
    listed = client.get("/api/v1/solutions", {"q": "compteurs"}, **auth).json()["results"]
    assert listed[0]["replication_count"] == 1
    network = client.get("/api/v1/solutions/replications", {"limit": 1}, **auth).json()
    assert (network["count"], network["limit"], len(network["results"])) == (1, 1, 1)


def test_exports_hold_published_readable_sheets_with_replication_counts(client, world):
    services.solution_replicate(
        actor=world.lourdes_editor, sheet=world.public, organisation=world.lourdes
    )
    client.force_login(world.nevers_member)
    text = client.get("/solutions/export.csv").content.decode("utf-8-sig")
    assert "Brouillon confidentiel" not in text
    assert "Plateforme interne" in text and "Ville de Lourdes" in text
    client.logout()
    response = client.get("/solutions/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) == 2 and rows[1][header.index("title")] == "Compteurs d'eau connectés"
    assert rows[1][header.index("replication_count")] == 0  # the draft is not visible here
    assert client.get("/solutions/export.pdf").status_code == 404


def test_export_neutralises_formulas(client, world):
    make_sheet(world, title='=HYPERLINK("http://x")')
    text = client.get("/solutions/export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
