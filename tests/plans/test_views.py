import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from mediane.plans import services
from mediane.plans.models import Action, Axis


@pytest.fixture
def plan(world):
    plan = world.plan(description="Horizon 2030")
    axis = services.axis_create(
        actor=world.editor, plan=plan, title="Nouvelle impulsion économique"
    )
    action = services.action_create(
        actor=world.editor,
        plan=plan,
        axis=axis,
        number=72,
        title="Créer un tiers-lieu",
        status="in_progress",
        progress=50,
        start_date="2023-01-01",
        end_date="2025-12-31",
        budget_planned="100000",
    )
    ind = services.indicator_create(
        actor=world.editor, action=action, name="Entreprises", target=20
    )
    services.indicator_value_set(actor=world.editor, indicator=ind, date="2023-06-01", value=2)
    services.indicator_value_set(actor=world.editor, indicator=ind, date="2024-06-01", value=9)
    return plan


def test_pages_render_for_the_public(client, plan):
    assert b"Plan Avenir Lourdes" in client.get("/plans/").content
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Créer un tiers-lieu" in page and 'value="50"' in page
    assert "Modifier le plan" not in page
    action = client.get(f"/plans/{plan.slug}/actions/72/").content.decode()
    assert "<polyline" in action and "Entreprises" in action
    public = client.get(plan.get_public_url()).content.decode()
    assert "2023" in public and "<svg" in public and "50 %" in public
    assert client.get(f"/plans/{plan.slug}/actions/99/").status_code == 404
    assert client.get(f"/plans/{plan.slug}/modifier/").status_code == 302


def test_hidden_plans_are_404(client, world):
    plan = world.plan("Secret", status="draft")
    assert client.get(plan.get_absolute_url()).status_code == 404
    client.force_login(world.other_editor)
    assert client.get(plan.get_public_url()).status_code == 404
    assert client.get(f"/plans/{plan.slug}/export.csv").status_code == 404
    client.force_login(world.member)
    assert client.get(plan.get_absolute_url()).status_code == 200
    assert client.get(f"/plans/{plan.slug}/axes/nouveau/").status_code == 403


def test_editor_creates_and_edits_an_action(client, world, plan):
    client.force_login(world.editor)
    url = f"/plans/{plan.slug}/actions/nouvelle/"
    assert client.get(url).status_code == 200
    data = {
        "axis": "1",
        "number": "72",
        "title": "Doublon",
        "status": "upcoming",
        "priority": "normal",
        "progress": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "déjà une action n° 72" in response.content.decode()
    data.update(number="73", title="Former les agents", pilots=[str(world.member.pk)])
    response = client.post(url, data)
    assert response.status_code == 302
    action = Action.objects.get(plan=plan, number=73)
    assert list(action.pilots.all()) == [world.member]
    data.update(status="done")
    client.post(f"/plans/{plan.slug}/actions/73/modifier/", data)
    action.refresh_from_db()
    assert action.progress == 100
    bad = client.post(
        f"/plans/{plan.slug}/actions/73/financements/",
        {"funder": "Région", "amount": "abc", "currency": "EUR"},
    )
    assert bad.status_code == 400 and "nombre" in bad.content.decode()


def test_export_csv_and_xlsx_then_reimport_updates(client, world, plan):
    client.force_login(world.editor)
    csv_bytes = client.get(f"/plans/{plan.slug}/export.csv").content
    assert "Créer un tiers-lieu" in csv_bytes.decode("utf-8-sig")
    xlsx = client.get(f"/plans/{plan.slug}/export.xlsx").content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("axis_number", "axis_title", "number")
    assert rows[1][2] == 72
    text = csv_bytes.decode("utf-8-sig").replace(",50,", ",80,")
    text += "2,Cadre de vie,10,=HYPERLIEN(x),,in_progress,high,2024-01-01,2024-12-31,,,20,,,4.1\n"
    url = f"/plans/{plan.slug}/import/"
    response = client.post(url, {"file": SimpleUploadedFile("plan.csv", text.encode())})
    page = response.content.decode()
    assert "1 action(s) à créer, 1 à mettre à jour" in page
    assert Action.objects.filter(plan=plan).count() == 1
    token = client.session["plans_import"]["token"]
    client.post(url, {"confirm": token})
    assert Action.objects.get(plan=plan, number=72).progress == 80
    created = Action.objects.get(plan=plan, number=10)
    assert created.title == "=HYPERLIEN(x)" and created.axis.title == "Cadre de vie"
    assert list(created.questions.values_list("code", flat=True)) == ["4.1"]
    assert Axis.objects.filter(plan=plan).count() == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.pdf", b"%PDF", "Format non reconnu"),
        ("plan.xlsx", b"PK\x03\x04broken", "XLSX lisible"),
        ("plan.csv", b"a,b\n1,2\n", "Colonnes obligatoires manquantes"),
        (
            "plan.csv",
            b"axis_number,number,title\nx,1,A\n1,1,\n",
            "2 lignes contiennent des erreurs",
        ),
    ],
)
def test_bad_imports_give_french_messages(client, world, plan, name, content, message):
    client.force_login(world.editor)
    response = client.post(
        f"/plans/{plan.slug}/import/", {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Action.objects.filter(plan=plan).count() == 1


def test_api_list_and_tree(client, world, plan):
    world.plan("Brouillon", status="draft")
    data = client.get("/api/v1/plans").json()
    assert [p["title"] for p in data] == ["Plan Avenir Lourdes"]
    tree = client.get(f"/api/v1/plans/{plan.slug}").json()
    assert tree["progress"] == 50.0
    action = tree["axes"][0]["actions"][0]
    assert action["number"] == 72
    assert [v["value"] for v in action["indicators"][0]["values"]] in (
        ["2.0000", "9.0000"],
        [2.0, 9.0],
        ["2", "9"],
    )
    missing = client.get("/api/v1/plans/nope")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
