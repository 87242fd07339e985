"""Journey: enable two-factor authentication from the profile, then log in with a code."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pyotp
import pytest

from mediane.accounts import two_factor
from mediane.accounts.models import TOTPDevice
from tests.accounts.factories import PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enrol_then_log_in_with_a_code(page, screenshot, monkeypatch):
    # The live server runs in this process: its clock is the test's, so the codes are known.
    now = [1_800_000_015.0]
    monkeypatch.setattr(two_factor, "time", SimpleNamespace(time=lambda: now[0]))
    user = MembershipFactory(
        role="admin", user__email="deux@example.org", user__full_name="Dominique Deux"
    ).user
    page.goto(page.base_url + "/comptes/connexion/")
    page.fill("input[name='username']", user.email)
    page.fill("input[name='password']", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(page.base_url + "/")

    page.goto(page.base_url + "/comptes/profil/")
    assert page.get_by_text("Recommandé pour votre rôle").is_visible()
    page.get_by_role("button", name="Activer la double authentification").click()
    page.wait_for_url(re.compile(r"/comptes/profil/double-authentification/$"))
    qr = page.get_by_role("img", name=re.compile("QR code"))
    assert qr.is_visible() and qr.evaluate("img => img.naturalWidth") > 0
    secret = page.locator("#cle-secrete").inner_text().replace(" ", "")
    assert secret == TOTPDevice.objects.get(user=user).secret
    screenshot(page, "enrolment")
    page.get_by_label("Code affiché par l'application").fill(pyotp.TOTP(secret).at(now[0]))
    page.get_by_role("button", name="Activer", exact=True).click()
    page.get_by_role("heading", name="Vos codes de secours").wait_for()
    assert page.locator("ol code").count() == 10
    screenshot(page, "recovery-codes")

    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(page.base_url + "/comptes/connexion/?next=/comptes/profil/")
    page.fill("input[name='username']", user.email)
    page.fill("input[name='password']", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/comptes/connexion/verification/$"))
    page.get_by_role("heading", name="Code de vérification").wait_for()
    screenshot(page, "second-step")
    now[0] += 30  # the enrolment's code cannot be used again: the next one
    page.get_by_label("Code de vérification").fill(pyotp.TOTP(secret).at(now[0]))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url(re.compile(r"/comptes/profil/$"))
    assert page.get_by_text("Codes de secours restants").is_visible()
    page.locator("#titre-2fa").scroll_into_view_if_needed()
    screenshot(page, "profile")
    assert not page.js_errors
