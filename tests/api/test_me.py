import pytest

from .conftest import token_headers

pytestmark = pytest.mark.django_db


def test_me_requires_a_token(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_me_lists_the_memberships_with_roles(client, orgs, editor):
    body = client.get("/api/v1/me", **token_headers(editor)).json()
    assert body["email"] == "editor@example.org"
    assert body["is_secretariat"] is False
    assert body["memberships"] == [
        {
            "organisation": {"slug": orgs["public"].slug, "name": "Laine des Pyrénées"},
            "role": "editor",
        }
    ]
