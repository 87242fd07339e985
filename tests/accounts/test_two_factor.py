"""Two-factor authentication (TOTP): enrolment, the login's second step, replay, recovery codes,
throttle, removal, the staff obligation, the admin's login, redirects and personal data.

Codes are computed by pyotp from the stored secret at a fixed clock (`clock` fixture), so no test
depends on the second it runs at.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pyotp
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from mediane.accounts import services, totp, two_factor, two_factor_views
from mediane.accounts.middleware import VERIFIED_SESSION_KEY
from mediane.accounts.models import RecoveryCode, TOTPDevice
from mediane.core import crypto
from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.models import AuditEntry
from tests.accounts.factories import PASSWORD, UserFactory

T0 = 1_800_000_015.0  # the middle of a 30-second step


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def time(self) -> float:
        return self.now

    def code(self, device: TOTPDevice, *, steps: int = 0) -> str:
        """The app's code `steps` steps after the current one."""
        return pyotp.TOTP(device.secret).at(self.now + 30 * steps)

    def tick(self, steps: int = 1) -> None:
        self.now += 30 * steps


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(two_factor, "time", SimpleNamespace(time=clock.time))
    return clock


def enrol(user, clock) -> tuple[TOTPDevice, list[str]]:
    device = two_factor.totp_device_start(user=user)
    codes = two_factor.totp_device_confirm(user=user, code=clock.code(device))
    device.refresh_from_db()
    clock.tick()  # the next code is a new one
    return device, codes


@pytest.fixture
def person(db):
    return UserFactory(email="camille@example.org", full_name="Camille Deux")


def _password_step(client, email="camille@example.org", next_url=""):
    data = {"username": email, "password": PASSWORD}
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- the pure module --------------------------------------------------------------------------


def test_matching_step_window_and_replay():
    secret = totp.new_secret()
    app = pyotp.TOTP(secret)
    step = totp.step_at(T0)
    assert totp.matching_step(secret, app.at(T0), timestamp=T0, after_step=None) == step
    assert totp.matching_step(secret, app.at(T0 - 30), timestamp=T0, after_step=None) == step - 1
    assert totp.matching_step(secret, app.at(T0 + 30), timestamp=T0, after_step=None) == step + 1
    assert totp.matching_step(secret, app.at(T0 + 60), timestamp=T0, after_step=None) is None
    assert totp.matching_step(secret, app.at(T0), timestamp=T0, after_step=step) is None
    spaced = app.at(T0)[:3] + " " + app.at(T0)[3:]
    assert totp.matching_step(secret, spaced, timestamp=T0, after_step=None) == step
    assert totp.matching_step(secret, "abcdef", timestamp=T0, after_step=None) is None


def test_recovery_codes_are_random_and_well_formed():
    codes = totp.new_recovery_codes()
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", c) for c in codes)
    assert all(totp.is_recovery_shaped(c.upper().replace("-", " ")) for c in codes)


# --- enrolment --------------------------------------------------------------------------------


def test_enrolment_with_a_code_from_the_app(client, person, clock):
    client.force_login(person)
    response = client.post(reverse("accounts:two_factor_setup"), {"start": "1"})
    assert response.status_code == 302
    page = client.get(reverse("accounts:two_factor_setup"))
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=person)
    assert not device.confirmed
    assert 'src="data:image/svg+xml' in html
    assert totp.grouped_secret(device.secret) in html
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]

    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": "000000"})
    assert wrong.status_code == 400
    assert not TOTPDevice.objects.get(user=person).confirmed

    response = client.post(reverse("accounts:two_factor_setup"), {"code": clock.code(device)})
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z2-9-]{14})</code>", response.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed and device.confirmed_at is not None
    assert client.session[VERIFIED_SESSION_KEY] is True
    hashes = list(RecoveryCode.objects.filter(device=device).values_list("code_hash", flat=True))
    assert len(hashes) == 10 and all(h.startswith("pbkdf2_sha256$") for h in hashes)
    assert not any(code.replace("-", "") in h for code in codes for h in hashes)
    assert AuditEntry.objects.filter(action="two_factor.enable", actor=person).count() == 1
    # The profile now says so.
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Codes de secours restants" in profile and "10 / 10" in profile


def _stored_secret(device: TOTPDevice) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def test_secret_is_encrypted_at_rest_and_rotated(person, clock):
    old, new = crypto.generate_key(), crypto.generate_key()
    with override_settings(ENCRYPTION_KEYS=[old]):
        device, _codes = enrol(person, clock)
        before = _stored_secret(device)
    assert before.startswith(crypto.PREFIX) and device.secret not in before
    with override_settings(ENCRYPTION_KEYS=[new, old]):
        out = StringIO()
        call_command("rotate_encryption", stdout=out)
        assert "accounts.TOTPDevice : 1 secret(s) rechiffré(s)" in out.getvalue()
    with override_settings(ENCRYPTION_KEYS=[new]):
        assert _stored_secret(device) != before
        assert TOTPDevice.objects.get(pk=device.pk).secret == device.secret
        assert two_factor.two_factor_verify(user=person, code=clock.code(device)) == "totp"


def test_start_again_replaces_a_pending_secret_but_not_a_confirmed_one(person, clock):
    first = two_factor.totp_device_start(user=person)
    second = two_factor.totp_device_start(user=person)
    assert first.secret != second.secret and TOTPDevice.objects.filter(user=person).count() == 1
    two_factor.totp_device_confirm(user=person, code=clock.code(second))
    with pytest.raises(Conflict):
        two_factor.totp_device_start(user=person)


def test_offered_prominently_to_administrators_not_to_members(client, admin, member):
    client.force_login(admin)
    assert "Recommandé pour votre rôle" in client.get(reverse("accounts:profile")).content.decode()
    client.force_login(member)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Double authentification" in html and "Recommandé pour votre rôle" not in html


# --- login ------------------------------------------------------------------------------------


def test_login_in_two_steps(client, person, clock):
    device, _codes = enrol(person, clock)
    response = _password_step(client, next_url="/annuaire/")
    assert response.status_code == 302 and response.url == reverse("accounts:login_verify")
    assert not _logged_in(client)
    page = client.get(reverse("accounts:login_verify"))
    assert page.status_code == 200 and "Code de vérification" in page.content.decode()
    response = client.post(reverse("accounts:login_verify"), {"code": clock.code(device)})
    assert response.status_code == 302 and response.url == "/annuaire/"
    assert _logged_in(client) and client.session[VERIFIED_SESSION_KEY] is True
    device.refresh_from_db()
    assert device.last_used_at is not None


def test_without_a_device_the_password_is_enough(client, person):
    response = _password_step(client)
    assert response.status_code == 302 and _logged_in(client)


def test_wrong_code_is_refused(client, person, clock):
    enrol(person, clock)
    _password_step(client)
    response = client.post(reverse("accounts:login_verify"), {"code": "123456"})
    assert response.status_code == 400
    assert "pas valable" in response.content.decode()
    assert not _logged_in(client)


def test_replayed_code_is_refused(client, person, clock):
    device, _codes = enrol(person, clock)
    code = clock.code(device)
    _password_step(client)
    assert client.post(reverse("accounts:login_verify"), {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    _password_step(client)
    response = client.post(reverse("accounts:login_verify"), {"code": code})
    assert response.status_code == 400 and not _logged_in(client)
    # An earlier code of the window is refused too once a later one was used.
    with pytest.raises(ValidationFailed):
        two_factor.two_factor_verify(user=person, code=clock.code(device, steps=-1))
    # The next step's code is accepted.
    clock.tick()
    assert two_factor.two_factor_verify(user=person, code=clock.code(device)) == "totp"


def test_recovery_code_works_once(client, person, clock):
    _device, codes = enrol(person, clock)
    _password_step(client)
    response = client.post(reverse("accounts:login_verify"), {"code": codes[0].upper()})
    assert response.status_code == 302 and _logged_in(client)
    assert AuditEntry.objects.filter(action="two_factor.recovery_code_use").count() == 1
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 1
    client.post(reverse("accounts:logout"))
    _password_step(client)
    response = client.post(reverse("accounts:login_verify"), {"code": codes[0]})
    assert response.status_code == 400 and not _logged_in(client)
    assert client.post(reverse("accounts:login_verify"), {"code": codes[1]}).status_code == 302


def test_lockout_after_five_wrong_codes(client, person, clock, settings):
    device, _codes = enrol(person, clock)
    _password_step(client)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(reverse("accounts:login_verify"), {"code": "000000"}).status_code == 400
    response = client.post(reverse("accounts:login_verify"), {"code": "000000"})
    assert response.status_code == 429
    assert "Trop de codes erronés" in response.content.decode()
    assert "15 minutes" in response.content.decode()
    # The pending login is dropped, and even the right code is refused during the lock.
    assert client.get(reverse("accounts:login_verify")).url == reverse("accounts:login")
    with pytest.raises(two_factor.TwoFactorLocked):
        two_factor.two_factor_verify(user=person, code=clock.code(device))
    # From another address too: the lock is the account's, not the IP's.
    other = client.__class__(REMOTE_ADDR="10.9.8.7")
    _password_step(other)
    response = other.post(reverse("accounts:login_verify"), {"code": clock.code(device)})
    assert response.status_code == 429
    # Once the lock has passed, the right code works.
    TOTPDevice.objects.filter(pk=device.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert two_factor.two_factor_verify(user=person, code=clock.code(device)) == "totp"
    device.refresh_from_db()
    assert device.failed_attempts == 0 and device.locked_until is None


def test_pending_login_expires(client, person, clock, monkeypatch):
    device, _codes = enrol(person, clock)
    now = [T0]
    monkeypatch.setattr(two_factor_views, "time", SimpleNamespace(time=lambda: now[0]))
    _password_step(client)
    now[0] += two_factor_views.PENDING_SECONDS + 1
    response = client.post(reverse("accounts:login_verify"), {"code": clock.code(device)})
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert not _logged_in(client)


def test_verify_page_without_a_pending_login_goes_back_to_login(client, db):
    assert client.get(reverse("accounts:login_verify")).url == reverse("accounts:login")


@pytest.mark.parametrize(
    "next_url", ["https://evil.example.org/", "//evil.example.org/", "https:/\\evil.example.org"]
)
def test_next_url_to_another_site_is_refused(client, person, clock, next_url):
    device, _codes = enrol(person, clock)
    data = {"username": person.email, "password": PASSWORD, "next": next_url}
    client.post(reverse("accounts:login"), data)
    response = client.post(reverse("accounts:login_verify"), {"code": clock.code(device)})
    assert response.status_code == 302 and response.url == reverse("core:home")
    assert _logged_in(client)


def test_api_tokens_are_unaffected(client, person, clock):
    enrol(person, clock)
    _token, raw = services.api_token_create(user=person, name="script")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["email"] == person.email


# --- recovery codes and removal ---------------------------------------------------------------


def test_regenerate_recovery_codes_with_password_or_code(client, person, clock):
    device, old = enrol(person, clock)
    client.force_login(person)
    url = reverse("accounts:two_factor_recovery_codes")
    assert client.post(url, {"password": "faux mot de passe"}).status_code == 400
    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"password": PASSWORD})
    assert response.status_code == 200
    new = re.findall(r"<code>([a-z2-9-]{14})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    with pytest.raises(ValidationFailed):
        two_factor.two_factor_verify(user=person, code=old[0])
    response = client.post(url, {"code": clock.code(device)})
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="two_factor.recovery_codes_regenerate").count() == 2
    assert RecoveryCode.objects.filter(device=device).count() == 10


def test_disable_requires_password_and_code(client, person, clock):
    device, codes = enrol(person, clock)
    client.force_login(person)
    url = reverse("accounts:two_factor_disable")
    assert client.get(url).status_code == 200
    assert client.post(url, {"password": PASSWORD, "code": "000000"}).status_code == 400
    response = client.post(url, {"password": "faux mot de passe", "code": clock.code(device)})
    assert response.status_code == 400
    assert client.post(url, {"code": clock.code(device)}).status_code == 400
    assert TOTPDevice.objects.filter(user=person, confirmed=True).exists()
    response = client.post(url, {"password": PASSWORD, "code": clock.code(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not RecoveryCode.objects.exists()
    assert AuditEntry.objects.filter(action="two_factor.disable", actor=person).count() == 1
    client.post(reverse("accounts:logout"))
    assert _password_step(client).status_code == 302 and _logged_in(client)


# --- required for staff -----------------------------------------------------------------------


def test_required_for_staff_sends_them_to_enrol(client, secretariat, member, clock, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    client.force_login(secretariat)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response.url == reverse("accounts:two_factor_setup")
    page = client.get(response.url)
    assert page.status_code == 200
    assert "impose la double authentification" in page.content.decode()
    assert client.get(reverse("accounts:profile")).status_code == 302
    client.post(reverse("accounts:two_factor_setup"), {"start": "1"})
    device = TOTPDevice.objects.get(user=secretariat)
    client.post(reverse("accounts:two_factor_setup"), {"code": clock.code(device)})
    assert client.get(reverse("core:home")).status_code == 200
    # Once enrolled, a new session is let through too; removal is refused.
    other = client.__class__()
    other.force_login(secretariat)
    assert other.get(reverse("accounts:profile")).status_code == 200
    clock.tick()
    with pytest.raises(Conflict):
        two_factor.totp_device_disable(user=secretariat, password=PASSWORD, code=clock.code(device))
    # Ordinary members are not concerned; logout stays open to everyone.
    client.force_login(member)
    assert client.get(reverse("core:home")).status_code == 200
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 302
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert not _logged_in(client)


def test_not_required_by_default(client, secretariat):
    client.force_login(secretariat)
    assert client.get(reverse("core:home")).status_code == 200


# --- the technical administration -------------------------------------------------------------


def test_admin_login_cannot_bypass_the_second_step(client, clock, db):
    root = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    device, _codes = enrol(root, clock)
    # The admin's login page is the site's login.
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    response = client.post("/admin/login/", {"username": root.email, "password": PASSWORD})
    assert not _logged_in(client)
    assert client.get("/admin/").status_code == 302
    # The password alone leaves the session waiting for the code.
    _password_step(client, email=root.email, next_url="/admin/")
    assert not _logged_in(client)
    assert client.get("/admin/").url.startswith("/admin/login/")
    response = client.post(reverse("accounts:login_verify"), {"code": clock.code(device)})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_asks_a_code_of_a_session_opened_before_enrolment(client, clock, db):
    root = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get("/admin/").status_code == 200
    other = client.__class__()
    other.force_login(root)
    device, _codes = enrol(root, clock)  # in another browser
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response.url == reverse("accounts:login_verify") + "?next=%2Fadmin%2Faccounts%2Fuser%2F"
    page = client.get(response.url)
    assert page.status_code == 200 and "Confirmez votre identité" in page.content.decode()
    response = client.post(response.url, {"code": clock.code(device)})
    assert response.url == "/admin/accounts/user/"
    assert client.get("/admin/accounts/user/").status_code == 200


def test_admin_login_of_a_signed_in_non_staff_person_is_refused(client, member):
    client.force_login(member)
    assert client.get("/admin/login/").status_code == 403


# --- personal data ----------------------------------------------------------------------------


def test_export_lists_the_device_without_its_secret(client, person, clock):
    device, codes = enrol(person, clock)
    client.force_login(person)
    response = client.post(reverse("accounts:personal_data_export"))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    rows = json.loads(archive.read("accounts.TOTPDevice.json"))
    assert rows[0]["confirmed"] is True and "secret" not in rows[0]
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert device.secret.encode() not in everything
    assert not any(code.encode() in everything for code in codes)


def test_account_deletion_removes_the_device(person, clock):
    enrol(person, clock)
    services.user_delete_account(actor=person, user=person, password=PASSWORD)
    assert not TOTPDevice.objects.exists() and not RecoveryCode.objects.exists()
