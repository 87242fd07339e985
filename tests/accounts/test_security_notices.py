"""A person is e-mailed when their sign-in changes: password (any way), two-factor on or off,
new recovery codes; the e-mail never holds the secret and is sent once the change is saved."""

from __future__ import annotations

import pyotp
import pytest
from django.core import mail
from django.urls import reverse

from mediane.accounts import two_factor
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Nouvelle-laine-2031!"


@pytest.fixture
def user():
    return UserFactory(email="camille@example.org", preferred_language="fr")


def notices():
    return [m for m in mail.outbox if "modification de la connexion" in m.subject]


def test_password_change_from_the_profile_sends_one_notice(
    client, user, django_capture_on_commit_callbacks
):
    user.set_password("Ancienne-laine-2029!")
    user.save()
    mail.outbox.clear()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:password_change"),
            {
                "old_password": "Ancienne-laine-2029!",
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
    assert response.status_code == 302
    sent = notices()
    assert len(sent) == 1 and sent[0].to == ["camille@example.org"]
    assert "mot de passe de votre compte a été modifié" in sent[0].body
    assert NEW_PASSWORD not in sent[0].body
    assert reverse("accounts:password_reset") in sent[0].body


def test_other_saves_and_new_accounts_send_nothing(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user.full_name = "Camille Martin"
        user.save()
        UserFactory(email="autre@example.org")
    assert notices() == []


def test_a_failed_change_sends_nothing(client, user, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:password_change"),
            {"old_password": "faux", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
    assert response.status_code == 200
    assert notices() == []


def test_two_factor_changes_send_a_notice_each(user, django_capture_on_commit_callbacks):
    user.set_password("Ancienne-laine-2029!")
    user.save()
    mail.outbox.clear()
    device = two_factor.totp_device_start(user=user)
    totp = pyotp.TOTP(device.secret)
    with django_capture_on_commit_callbacks(execute=True):
        two_factor.totp_device_confirm(user=user, code=totp.now())
    assert "activée" in notices()[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        two_factor.recovery_codes_regenerate(user=user, password="Ancienne-laine-2029!")
    assert "codes de secours" in notices()[-1].body
    codes = two_factor.recovery_codes_regenerate(user=user, password="Ancienne-laine-2029!")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        two_factor.totp_device_disable(user=user, password="Ancienne-laine-2029!", code=codes[0])
    assert len(notices()) == 1 and "désactivée" in notices()[0].body
    assert device.secret not in notices()[0].body


def test_notice_in_the_persons_language(user, django_capture_on_commit_callbacks):
    user.preferred_language = "en"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        user.set_password(NEW_PASSWORD)
        user.save()
    assert len(mail.outbox) == 1
    assert "password" in mail.outbox[0].body.lower()
