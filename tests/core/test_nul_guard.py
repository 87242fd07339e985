"""A NUL character in an API query string is refused with a clear 422, on every database
(PostgreSQL cannot store one, so it used to reach a query and fail with a server error)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_api_answers_a_json_error(client):
    response = client.get("/api/v1/solutions", {"q": "eau\x00"})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert "caractère nul" in response.json()["message"]


def test_pages_still_drop_the_filter_they_cannot_read(client):
    assert client.get("/annuaire/", {"q": "laine\x00"}).status_code == 200


def test_ordinary_queries_pass(client):
    assert client.get("/api/v1/solutions", {"q": "eau"}).status_code == 200
    assert client.get("/annuaire/", {"q": "laine"}).status_code == 200
