"""Security defaults: CSP, CSRF, cookies, login throttling, password hashing, error pages."""

from __future__ import annotations

from html import unescape

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import include, path, reverse

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/comptes/connexion/"


def text(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    "url", ["/", LOGIN, "/comptes/inscription/", "/comptes/mot-de-passe/oublie/", "/nulle-part/"]
)
def test_csp_header_on_pages(client, url):
    response = client.get(url)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_csrf_enforced_on_login_post():
    UserFactory(email="camille@example.org")
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "camille@example.org", "password": PASSWORD})
    assert response.status_code == 403
    assert "Formulaire expiré" in text(response)
    assert "_auth_user_id" not in client.session
    # With the token from the form, the same post succeeds.
    client.get(LOGIN)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        LOGIN,
        {"username": "camille@example.org", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_session_and_csrf_cookie_flags(client):
    UserFactory(email="camille@example.org")
    response = client.post(LOGIN, {"username": "camille@example.org", "password": PASSWORD})
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert settings.CSRF_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SECURE == settings.HTTPS
    assert settings.CSRF_COOKIE_SECURE == settings.HTTPS


def test_login_rotates_the_session_key(client):
    UserFactory(email="camille@example.org")
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    client.post(LOGIN, {"username": "camille@example.org", "password": PASSWORD})
    assert client.session.session_key != before


def test_passwords_are_hashed_with_argon2():
    user = UserFactory.build(email="a@example.org")
    user.set_password("Tourisme-durable-Lourdes-65")
    assert user.password.startswith("argon2$")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_login_throttled_after_five_failures_even_with_right_password(client):
    UserFactory(email="camille@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(LOGIN, {"username": "camille@example.org", "password": "faux"})
        assert response.status_code == 200
        assert "mot de passe incorrect" in text(response)
    # The failure that reaches the limit locks the account for this address...
    response = client.post(LOGIN, {"username": "camille@example.org", "password": "faux"})
    assert response.status_code == 429
    # ...and the next attempt is refused even with the right password.
    response = client.post(LOGIN, {"username": "camille@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives de connexion. Réessayez dans 15 minutes." in text(response)
    assert "_auth_user_id" not in client.session


def test_lockout_cannot_be_dodged_by_changing_the_case(client):
    UserFactory(email="camille@example.org")
    variants = ["camille@example.org", "Camille@example.org", "CAMILLE@example.org"]
    for index in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": variants[index % 3], "password": "faux"})
    response = client.post(LOGIN, {"username": "cAmIlLe@Example.ORG", "password": PASSWORD})
    assert response.status_code == 429


def test_lockout_is_per_account_and_address(client):
    UserFactory(email="camille@example.org")
    UserFactory(email="dominique@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "camille@example.org", "password": "faux"})
    response = client.post(LOGIN, {"username": "dominique@example.org", "password": PASSWORD})
    assert response.status_code == 302


def _forbidden(request):
    raise PermissionDenied


def _boom(request):
    raise RuntimeError("boom")


# The site's URLs plus two views that fail on purpose (the error pages link to site pages).
urlpatterns = [
    path("interdit/", _forbidden),
    path("panne/", _boom),
    path("", include("mediane.urls")),
]


@override_settings(ROOT_URLCONF=__name__)
def test_403_page_is_french_and_friendly(client):
    response = client.get("/interdit/")
    assert response.status_code == 403
    html = text(response)
    assert "Accès refusé" in html
    assert "Se connecter" in html
    assert 'lang="fr"' in html


def test_404_page_is_french(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in text(response)
    assert reverse("core:home") in text(response)


@override_settings(ROOT_URLCONF=__name__)
def test_500_page_is_french():
    client = Client(raise_request_exception=False)
    response = client.get("/panne/")
    assert response.status_code == 500
    html = text(response)
    assert "Une erreur est survenue" in html
    assert "boom" not in html
