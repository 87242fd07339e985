"""Token authentication, CSRF, and the JSON error format."""

import pytest
from django.test import Client

from mediane.accounts.services import api_token_create, api_token_revoke
from mediane.api.errors import validation_errors

from .conftest import bearer, make_user, token_headers

pytestmark = pytest.mark.django_db


def test_a_valid_token_authenticates(client, outsider):
    response = client.get("/api/v1/me", **token_headers(outsider))
    assert response.status_code == 200
    assert response.json()["email"] == "outsider@example.org"


@pytest.mark.parametrize(
    "header", ["Bearer nope", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 500]
)
def test_a_bad_token_is_refused_even_on_public_reads(client, header):
    response = client.get("/api/v1/sectors", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthenticated"
    assert "jeton" in body["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused(client, outsider):
    token, raw = api_token_create(user=outsider, name="old")
    api_token_revoke(actor=outsider, token=token)
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 401


def test_an_inactive_user_token_is_refused(client):
    user = make_user("gone@example.org")
    headers = token_headers(user)
    user.is_active = False
    user.save()
    assert client.get("/api/v1/me", **headers).status_code == 401


def test_a_session_cookie_does_not_authenticate_the_api(outsider):
    """Only bearer tokens act on someone's behalf, so no cross-site request can write."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(outsider)
    assert browser.get("/api/v1/me").status_code == 401
    response = browser.post("/api/v1/organisations", {"name": "X"}, content_type="application/json")
    assert response.status_code == 401


def test_token_calls_need_no_csrf_token(outsider, territories):
    api = Client(enforce_csrf_checks=True)
    response = api.post(
        "/api/v1/organisations",
        {"name": "Sans CSRF", "kind": "startup", "country": "FR"},
        content_type="application/json",
        **token_headers(outsider),
    )
    assert response.status_code == 201


def test_malformed_json_is_a_400_with_a_code(client, outsider):
    response = client.post(
        "/api/v1/organisations",
        data="{not json",
        content_type="application/json",
        **token_headers(outsider),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_a_json_array_instead_of_an_object_is_a_422(client, outsider):
    response = client.post(
        "/api/v1/organisations", data="[1, 2]", content_type="application/json",
        **token_headers(outsider),
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_missing_fields_are_listed_in_french(client, outsider):
    response = client.post(
        "/api/v1/organisations", {}, content_type="application/json", **token_headers(outsider)
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors["name"] == "Ce champ est obligatoire."
    assert {"name", "kind", "country"} <= set(errors)


def test_validation_errors_are_reshaped():
    errors = validation_errors(
        [
            {"loc": ("body", "payload", "siret"), "type": "string_too_long",
             "ctx": {"max_length": 20}, "msg": "x"},
            {"loc": ("query", "limit"), "type": "int_parsing", "msg": "x"},
            {"loc": ("query", "kinds"), "type": "value_error",
             "ctx": {"error": "Type inconnu"}, "msg": "Value error, Type inconnu"},
        ]
    )  # fmt: skip
    assert errors == [
        {"field": "siret", "message": "Ce texte est trop long (20 caractères au plus)."},
        {"field": "limit", "message": "Un nombre entier est attendu."},
        {"field": "kinds", "message": "Type inconnu"},
    ]


def test_every_error_body_has_code_and_message(client):
    for url in ["/api/v1/territories/nowhere", "/api/v1/me", "/api/v1/territories?limit=x"]:
        body = client.get(url).json()
        assert set(body) >= {"code", "message"}, url
        assert body["message"]


def test_api_root_leads_to_the_docs(client):
    response = client.get("/api/v1/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/api/v1/docs"


def test_unknown_api_paths_are_json_404(client):
    response = client.get("/api/v1/nothing/here")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unexpected_error_is_a_json_500_and_is_logged(client, monkeypatch, caplog):
    from mediane.directory import selectors

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "sectors_list", broken)
    response = client.get("/api/v1/sectors")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "boom" not in response.content.decode()
    assert any("API error" in record.message for record in caplog.records)


def test_an_oversized_body_is_a_413(client, outsider, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = '{"name": "' + "x" * (2 * 1024 * 1024) + '"}'
    response = client.post(
        "/api/v1/organisations", data=body, content_type="application/json",
        **token_headers(outsider),
    )  # fmt: skip
    assert response.status_code == 413
    assert response.json() == {
        "code": "payload_too_large",
        "message": "Le corps de la requête est trop volumineux (1 Mo au plus).",
    }


def test_an_unsupported_method_is_a_json_405(client):
    response = client.put("/api/v1/territories", {}, content_type="application/json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "GET"
