"""E-mails with a link are limited per address and hour (MEDIANE_MAIL_LINKS_PER_HOUR): the
reset page answers the same over the limit (it never tells whether an account exists) but
sends nothing; the verification resend says to wait."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_password_reset_e_mails_stop_at_the_hourly_limit(client, settings):
    settings.MAIL_LINKS_PER_HOUR = 3
    UserFactory(email="camille@example.org")
    for _ in range(5):
        response = client.post(reverse("accounts:password_reset"), {"email": "Camille@Example.org"})
        assert response.status_code == 302
        assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 3
    # Another address is not affected.
    UserFactory(email="dominique@example.org")
    client.post(reverse("accounts:password_reset"), {"email": "dominique@example.org"})
    assert len(mail.outbox) == 4


def test_unknown_addresses_count_too_and_reveal_nothing(client, settings):
    settings.MAIL_LINKS_PER_HOUR = 1
    first = client.post(reverse("accounts:password_reset"), {"email": "personne@example.org"})
    second = client.post(reverse("accounts:password_reset"), {"email": "personne@example.org"})
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert not mail.outbox


def test_verification_resend_is_limited_with_a_clear_message(
    client, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_LINKS_PER_HOUR = 2
    user = UserFactory(email="camille@example.org", email_verified=False)
    client.force_login(user)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("accounts:resend_verification"))
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:resend_verification"), follow=True)
    assert len(mail.outbox) == 2
    assert "réessayez dans une heure" in response.content.decode()


def test_zero_means_no_limit(client, settings):
    settings.MAIL_LINKS_PER_HOUR = 0
    UserFactory(email="camille@example.org")
    for _ in range(6):
        client.post(reverse("accounts:password_reset"), {"email": "camille@example.org"})
    assert len(mail.outbox) == 6
