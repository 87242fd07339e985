"""Meta-tests: every API operation is described in OpenAPI and documented in docs/api.md."""

import importlib
import json
import re
from pathlib import Path

import pytest

from mediane.api.api import api_v1

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
METHODS = ("get", "post", "put", "patch", "delete")


def operations() -> list[tuple[str, str, dict]]:
    schema = api_v1.get_openapi_schema()
    return [
        (method.upper(), path, item[method])
        for path, item in schema["paths"].items()
        for method in METHODS
        if method in item
    ]


def test_every_operation_has_an_id_summary_description_and_tag():
    missing = [
        f"{method} {path}"
        for method, path, op in operations()
        if not (op.get("operationId") and op.get("summary") and op.get("description"))
        or not op.get("tags")
    ]
    assert not missing, f"operations without operationId/summary/description/tags: {missing}"


def test_every_operation_is_documented_in_docs_api_md():
    text = DOC.read_text(encoding="utf-8")
    missing = []
    for method, path, op in operations():
        relative = path.removeprefix("/api/v1")
        if f"`{method} {relative}`" not in text or f"`{op['operationId']}`" not in text:
            missing.append(f"{method} {relative} ({op['operationId']})")
    assert not missing, f"add these operations to docs/api.md: {missing}"


# Each app of issues 6 and 7 lists its own operations in tests/<app>/api_operations.py.
APP_OPERATION_MODULES = (
    "cooperation",
    "solutions",
    "incubation",
    "tierslieux",
    "support",
    "diagnostic",
    "plans",
    "labels",
)


def app_operation_ids() -> set[str]:
    ids: set[str] = set()
    for app in APP_OPERATION_MODULES:
        ids |= importlib.import_module(f"tests.{app}.api_operations").OPERATION_IDS
    return ids


def test_the_expected_operations_exist():
    ids = {op["operationId"] for _m, _p, op in operations()}
    assert ids == app_operation_ids() | {
        "territories_list", "territory_get", "sectors_list", "organisations_list",
        "organisation_get", "organisation_create", "organisation_update", "organisation_delete",
        "search", "me",
        "challenges_list", "challenge_get", "answers_mine", "offers_list", "offer_get",
        "challenge_recommendations", "organisation_recommended_challenges",
        "challenge_invitations", "challenge_invite", "challenge_invitation_withdraw",
        "organisation_invitations",
        "summit_editions", "summit_edition_get", "summit_agenda",
        "datasets_list", "datasets_get", "datasets_rows", "datasets_rows_csv", "datasets_profile",
    }  # fmt: skip


@pytest.mark.django_db
def test_openapi_document_is_served_as_valid_json(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert len([1 for item in schema["paths"].values() for m in METHODS if m in item]) == 29 + len(
        app_operation_ids()
    )
    assert "ErrorOut" in schema["components"]["schemas"]


@pytest.mark.django_db
def test_reference_page_lists_every_operation_without_external_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    for method, path, op in operations():
        assert f'id="op-{op["operationId"]}"' in html
        assert f"{method} {path}" in html
    assert "curl" in html
    # No asset from another host (a bare "cdn" search matched a random CSRF token once).
    assert not re.search(r'<(script|link|img)\b[^>]*\b(src|href)="(https?:)?//', html)
    assert "cdn." not in html.lower()
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_console_page_loads_swagger_from_our_static_files(client):
    response = client.get("/api/v1/docs/console")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/ninja/swagger-ui-bundle.js">' in html
    assert "http" not in html.split("<body", 1)[1].replace("http-equiv", "")


TOKEN_ONLY_READS = {
    "me", "answers_mine", "challenge_recommendations", "organisation_recommended_challenges",
    "challenge_invitations", "organisation_invitations", "summit_agenda",
}  # fmt: skip


def test_reads_have_optional_auth_and_writes_require_a_token():
    schema = api_v1.get_openapi_schema()
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth"}
    for method, _path, op in operations():
        if op["operationId"] in TOKEN_ONLY_READS or method != "GET":
            assert op["security"] == [{"TokenAuth": []}], op["operationId"]
        else:
            assert op["security"] == [{}, {"TokenAuth": []}], op["operationId"]
