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


def test_password_change_ends_the_other_sessions():
    user = UserFactory(email="camille@example.org")
    here, elsewhere = Client(), Client()
    here.force_login(user)
    elsewhere.force_login(user)
    profile = reverse("accounts:profile")
    assert elsewhere.get(profile).status_code == 200
    new = "Tourisme-durable-Lourdes-65"
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert here.get(profile).status_code == 200  # the session that changed it stays
    response = elsewhere.get(profile)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_passwords_are_hashed_with_argon2(project_password_hashers):
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


def test_failed_and_successful_logins_are_recorded_without_the_password(client):
    from axes.models import AccessAttempt, AccessLog

    UserFactory(email="camille@example.org")
    client.post(LOGIN, {"username": "camille@example.org", "password": "mauvais-secret-42"})
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "camille@example.org" and attempt.failures_since_start == 1
    assert attempt.ip_address == "127.0.0.1"
    assert "mauvais-secret-42" not in str(vars(attempt))
    client.post(LOGIN, {"username": "camille@example.org", "password": PASSWORD})
    login = AccessLog.objects.get()
    assert login.username == "camille@example.org" and login.path_info == LOGIN
    assert PASSWORD not in str(vars(login))


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


# --- Security headers on a page of every app, and over HTTPS ------------------------------------


def _directives(policy: str) -> dict[str, list[str]]:
    """`Content-Security-Policy` as {directive: [sources]}."""
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def _inline_code(html: str) -> list[str]:
    """Inline scripts, style elements and attributes, event handlers: what the CSP would block."""
    import re

    found = []
    for match in re.finditer(r"<script\b([^>]*)>", html, flags=re.I):
        attributes = match.group(1)
        data_block = re.search(r'type="application/(ld\+)?json"', attributes)
        if "src=" not in attributes and not data_block:
            found.append(match.group(0))
    found += re.findall(r"<style\b[^>]*>", html, flags=re.I)
    found += re.findall(r"<[^>]+\sstyle=[\"'][^>]*>", html, flags=re.I)
    found += re.findall(r"<[^>]+\son[a-z]+=[\"'][^>]*>", html, flags=re.I)
    found += re.findall(r"javascript:", html, flags=re.I)
    return found


def test_strict_security_headers_on_a_page_of_every_app(client):
    from tests.market.factories import make_world

    world = make_world()
    challenge = world.open_challenge()
    pages = [
        "/",
        reverse("directory:list"),
        challenge.get_absolute_url(),
        reverse("datahub:catalogue"),
        reverse("summit:list"),
        reverse("diagnostic:hub"),
        reverse("labels:index"),
        "/api/v1/docs",
        "/api/v1/docs/console",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = _directives(response.headers["Content-Security-Policy"])
        for directive in ("default-src", "script-src", "style-src"):
            assert policy[directive] == ["'self'"], (url, directive, policy[directive])
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["object-src"] == ["'none'"], url
        assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"], url
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", url
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", url
        assert response.headers["Content-Type"] == "text/html; charset=utf-8", url
        assert _inline_code(response.content.decode()) == [], url
    # The checker is not blind: it sees each kind of inline code.
    assert len(_inline_code('<script>x()</script><p style="a" onclick="b"><style>')) == 4


def test_https_settings_send_hsts_redirect_and_secure_cookies(client, tmp_path):
    """With MEDIANE_HTTPS the settings (resolved in a fresh interpreter, as in production) turn
    on HSTS, the redirect to HTTPS and secure cookies; without it, none of them."""
    from tests.core.test_settings import resolve

    names = (
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_REDIRECT_EXEMPT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    )
    values = resolve(tmp_path, *names, MEDIANE_HTTPS="true")
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    UserFactory(email="camille@example.org")

    # Plain HTTP today (the test settings): no HSTS, cookies without Secure.
    response = client.post(LOGIN, {"username": "camille@example.org", "password": PASSWORD})
    assert "Strict-Transport-Security" not in response.headers
    assert not response.cookies[settings.SESSION_COOKIE_NAME]["secure"]

    with override_settings(**values):
        https = Client(headers={"X-Forwarded-Proto": "https"})  # what the proxy sets
        response = https.get(LOGIN)
        assert response.status_code == 200
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert response.cookies[settings.CSRF_COOKIE_NAME]["secure"] is True
        response = https.post(
            LOGIN,
            {
                "username": "camille@example.org",
                "password": PASSWORD,
                "csrfmiddlewaretoken": https.cookies[settings.CSRF_COOKIE_NAME].value,
            },
        )
        assert response.status_code == 302
        session = response.cookies[settings.SESSION_COOKIE_NAME]
        assert session["secure"] is True and session["httponly"] is True
        # Plain HTTP is redirected to HTTPS, except the health checks of the load balancer.
        plain = Client()
        response = plain.get(LOGIN)
        assert response.status_code == 301
        assert response.headers["Location"] == "https://testserver" + LOGIN
        assert plain.get("/healthz").status_code == 200


def test_upload_bombs_are_refused_before_they_are_expanded():
    """A small office document that expands a thousandfold (zip bomb) and a small image of
    huge dimensions (decompression bomb) are refused; their harmless twins are accepted."""
    import io
    import zipfile

    from PIL import Image

    from mediane.core.errors import ValidationFailed
    from mediane.directory.logos import clean_logo
    from mediane.market.attachments import clean_attachment

    def docx(extra: bytes) -> io.BytesIO:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<document/>")
            archive.writestr("word/media/padding.bin", extra)
        buffer.seek(0)
        return buffer

    assert clean_attachment(docx(b"x" * 1000), name="note.docx").content_type.endswith(".document")
    bomb = docx(bytes(50 * 1024 * 1024))
    assert len(bomb.getvalue()) < 100 * 1024
    with pytest.raises(ValidationFailed):
        clean_attachment(bomb, name="note.docx")

    def png(side: int) -> io.BytesIO:
        buffer = io.BytesIO()
        Image.new("1", (side, side)).save(buffer, format="PNG")
        buffer.seek(0)
        return buffer

    assert clean_logo(png(600)).size > 0
    huge = png(7000)  # 49 million pixels in a few kilobytes
    assert len(huge.getvalue()) < settings.LOGO_MAX_BYTES
    with pytest.raises(ValidationFailed, match="Dimensions"):
        clean_logo(huge)


def test_no_listing_no_hidden_files_and_no_cross_origin_grant(client):
    for url in ("/static/", "/media/", "/.git/config", "/static/../settings.py", "/.env"):
        assert client.get(url).status_code == 404, url
    # The API and the pages grant no other origin access (no CORS header at all).
    for url in ("/api/v1/territories", "/"):
        response = client.get(url, headers={"Origin": "https://evil.example"})
        assert response.status_code == 200
        assert "Access-Control-Allow-Origin" not in response.headers, url
    response = client.options("/api/v1/territories", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
