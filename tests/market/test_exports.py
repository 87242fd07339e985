"""Exports of the challenge list (CSV, XLSX, JSON) and the Atom feed of open challenges."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from mediane.market import exports, services

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
FORMULA = '=HYPERLINK("http://evil.example","clic")'


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for spreadsheets
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[dict[str, object]]:
    assert response.status_code == 200, response.content
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_neutralise_prefixes_every_formula_start():
    for value in ("=1+1", "+33", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert exports.neutralise(value) == "'" + value
    assert exports.neutralise("Lourdes") == "Lourdes"
    assert exports.neutralise(12) == 12


def test_csv_has_the_visible_challenges_with_local_times(client, world):
    challenge = world.open_challenge(sectors=[world.sector.slug])
    response = client.get(reverse("market:export_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [r["slug"] for r in rows] == [challenge.slug]
    row = rows[0]
    assert row["lead_issuer"] == "Ville de Nevers"
    assert row["status"] == "open" and row["status_label"] == "Publié"
    assert row["sectors"] == "Tourisme test"
    # Dates read as on the page: in the issuer's zone (17:00 in Paris), with the zone beside.
    assert row["closes_at"] == "2025-04-01 17:00"
    assert row["time_zone"] == "Europe/Paris"
    assert "hiver" in row["problem"] and "<strong>" not in row["problem"]


def test_formula_cells_are_neutralised_in_csv_and_xlsx(client, world):
    world.open_challenge(title=FORMULA, summary="+33 5 62 00 00 00", contact_name="@admin")
    row = csv_rows(client.get(reverse("market:export_csv")))[0]
    assert row["title"] == "'" + FORMULA
    assert row["summary"] == "'+33 5 62 00 00 00"
    sheet_row = xlsx_rows(client.get(reverse("market:export_xlsx")))[0]
    assert sheet_row["title"] == "'" + FORMULA  # a text cell, not a formula
    assert sheet_row["summary"] == "'+33 5 62 00 00 00"
    assert sheet_row["budget_max"] == 40_000  # numbers stay numbers
    # JSON is data, not a spreadsheet: the value is given as written.
    data = json.loads(client.get(reverse("market:export_json")).content)
    assert data["results"][0]["title"] == FORMULA


def test_a_draft_never_leaks_into_an_export(client, world):
    public = world.open_challenge(title="Défi publié")
    draft = world.draft(title="Brouillon secret de la ville")
    for name in ("market:export_csv", "market:export_json"):
        url = reverse(name) + "?status=draft"
        assert draft.title.encode() not in client.get(url).content
        assert draft.slug.encode() not in client.get(reverse(name)).content
    client.force_login(world.company_editor)
    json_rows = json.loads(client.get(reverse("market:export_json")).content)["results"]
    assert [r["slug"] for r in json_rows] == [public.slug]
    xlsx = xlsx_rows(client.get(reverse("market:export_xlsx")))
    assert [r["slug"] for r in xlsx] == [public.slug]
    # Its issuer's editor sees their own draft, exactly as on the /defis/ list.
    client.force_login(world.city_editor)
    response = client.get(reverse("market:export_json"))
    assert {r["slug"] for r in json.loads(response.content)["results"]} == {
        public.slug,
        draft.slug,
    }
    assert response["Cache-Control"] == "private, no-store"


def test_exports_take_the_list_filters(client, world):
    world.open_challenge(title="Laine des Pyrénées", sectors=[world.sector.slug])
    world.open_challenge(title="Billettique des transports")
    url = reverse("market:export_json") + f"?sector={world.sector.slug}"
    data = json.loads(client.get(url).content)
    assert data["count"] == 1 and data["results"][0]["title"] == "Laine des Pyrénées"
    # Unknown filter values are ignored as on the list page, never a 500.
    assert client.get(reverse("market:export_csv") + "?status=%00&issuer=abc").status_code == 200


def test_xlsx_drops_control_characters_instead_of_failing():
    row = dict.fromkeys(exports.COLUMNS, "")
    row.update(title="=1+1", summary="Flux\x07 des visiteurs", budget_max=None)
    sheet = load_workbook(io.BytesIO(exports.to_xlsx([row]))).active
    header, values = (list(r) for r in sheet.iter_rows(values_only=True))
    cells = dict(zip(header, values, strict=True))
    assert cells["summary"] == "Flux des visiteurs"
    assert cells["title"] == "'=1+1"


def test_exports_are_get_only(client, world):
    assert client.post(reverse("market:export_csv")).status_code == 405


def test_export_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    for n in range(5):
        world.open_challenge(title=f"Défi numéro {n}", sectors=[world.sector.slug])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("market:export_csv"))
    assert len(csv_rows(response)) == 5


# --- Atom feed -----------------------------------------------------------------------------------


def entries(response) -> list[ElementTree.Element]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    # Our own response, not untrusted input.
    return ElementTree.fromstring(response.content).findall(f"{ATOM}entry")  # noqa: S314


def test_feed_lists_open_challenges_only(client, world):
    open_one = world.open_challenge(
        title="Flux touristiques <hors saison>", closes_at="2099-04-01T17:00"
    )
    closed = world.open_challenge(title="Défi déjà clos")
    services.challenges_close_due(now=world.after_closing(closed))
    draft = world.draft(title="Brouillon jamais publié")
    client.force_login(world.city_editor)  # even its issuer does not get drafts in the feed
    items = entries(client.get(reverse("market:feed")))
    titles = [e.findtext(f"{ATOM}title") for e in items]
    assert "Flux touristiques <hors saison>" in titles
    assert closed.title not in titles and draft.title not in titles
    assert len(titles) == 1
    entry = items[0]
    assert open_one.slug in entry.find(f"{ATOM}link").get("href")
    summary = entry.findtext(f"{ATOM}summary")
    assert "Ville de Nevers" in summary and "Europe/Paris" in summary
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Ville de Nevers"


def test_feed_escapes_text_and_takes_filters(client, world):
    world.open_challenge(
        title="Laine", summary="<script>alert(1)</script>", sectors=[world.sector.slug]
    )
    world.open_challenge(title="Billettique")
    items = entries(client.get(reverse("market:feed") + f"?sector={world.sector.slug}"))
    assert [e.findtext(f"{ATOM}title") for e in items] == ["Laine"]
    # The summary is HTML for feed readers: the text's markup arrives escaped, never live.
    assert "<script>" not in items[0].findtext(f"{ATOM}summary")
    assert [c.get("term") for c in items[0].findall(f"{ATOM}category")] == ["Tourisme test"]
