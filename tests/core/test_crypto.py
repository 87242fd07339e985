"""Secrets at rest: encrypted with the configured keys, readable across a rotation,
re-encrypted by `mediane rotate-encryption`, never stored in plain text."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from mediane.core import crypto
from mediane.datahub.models import PortalAccount
from tests.accounts.factories import OrganisationFactory

OLD = crypto.generate_key()
NEW = crypto.generate_key()


def raw_api_key(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key FROM datahub_portalaccount WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def account(key: str = "cle-secrete-1234567890") -> PortalAccount:
    return PortalAccount.objects.create(
        organisation=OrganisationFactory(),
        kind="udata",
        base_url="https://www.data.gouv.fr/",
        api_key=key,
        remote_organisation="org",
    )


def test_round_trip_and_non_deterministic():
    token = crypto.encrypt("secret")
    assert token.startswith(crypto.PREFIX) and "secret" not in token
    assert crypto.decrypt(token) == "secret"
    assert crypto.encrypt("secret") != token  # random IV: equal secrets do not show


def test_legacy_plain_text_is_read_as_is():
    assert crypto.decrypt("plain-old-key") == "plain-old-key"


@pytest.mark.django_db
def test_portal_api_key_is_stored_encrypted():
    acc = account()
    stored = raw_api_key(acc.pk)
    assert stored.startswith(crypto.PREFIX)
    assert "cle-secrete" not in stored
    assert PortalAccount.objects.get(pk=acc.pk).api_key == "cle-secrete-1234567890"
    assert PortalAccount.objects.get(pk=acc.pk).key_hint == "…7890"


@pytest.mark.django_db
def test_unknown_key_gives_a_clear_error():
    with override_settings(ENCRYPTION_KEYS=[OLD]):
        acc = account()
    with override_settings(ENCRYPTION_KEYS=[NEW]), pytest.raises(crypto.DecryptionError):
        PortalAccount.objects.get(pk=acc.pk)


@pytest.mark.django_db
def test_rotation_with_explicit_keys():
    with override_settings(ENCRYPTION_KEYS=[OLD]):
        acc = account()
        before = raw_api_key(acc.pk)
    with override_settings(ENCRYPTION_KEYS=[NEW, OLD]):
        # Readable during the rotation, still under the old key.
        assert PortalAccount.objects.get(pk=acc.pk).api_key == "cle-secrete-1234567890"
        assert not crypto.is_current(before)
        out = StringIO()
        call_command("rotate_encryption", stdout=out)
        assert "datahub.PortalAccount : 1 secret(s) rechiffré(s)" in out.getvalue()
        after = raw_api_key(acc.pk)
        assert after != before and crypto.is_current(after)
        # A second run has nothing left to do.
        out = StringIO()
        call_command("rotate_encryption", stdout=out)
        assert "datahub.PortalAccount : 0 secret(s)" in out.getvalue()
    with override_settings(ENCRYPTION_KEYS=[NEW]):
        assert PortalAccount.objects.get(pk=acc.pk).api_key == "cle-secrete-1234567890"


@pytest.mark.django_db
def test_rotation_of_secret_key_through_fallbacks():
    with override_settings(ENCRYPTION_KEYS=[], SECRET_KEY="ancienne-cle-" + "x" * 40):
        acc = account()
    moved = {
        "SECRET_KEY": "nouvelle-cle-" + "y" * 40,
        "SECRET_KEY_FALLBACKS": ["ancienne-cle-" + "x" * 40],
    }
    with override_settings(ENCRYPTION_KEYS=[], **moved):
        assert PortalAccount.objects.get(pk=acc.pk).api_key == "cle-secrete-1234567890"
        call_command("rotate_encryption", stdout=StringIO())
    with override_settings(
        ENCRYPTION_KEYS=[], SECRET_KEY=moved["SECRET_KEY"], SECRET_KEY_FALLBACKS=[]
    ):
        assert PortalAccount.objects.get(pk=acc.pk).api_key == "cle-secrete-1234567890"


@pytest.mark.django_db
def test_legacy_plain_row_is_encrypted_by_rotation():
    acc = account()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE datahub_portalaccount SET api_key = %s WHERE id = %s", ["plain-1234", acc.pk]
        )
    assert PortalAccount.objects.get(pk=acc.pk).api_key == "plain-1234"
    call_command("rotate_encryption", stdout=StringIO())
    assert raw_api_key(acc.pk).startswith(crypto.PREFIX)
    assert PortalAccount.objects.get(pk=acc.pk).api_key == "plain-1234"


def test_new_key_option_prints_a_usable_key():
    out = StringIO()
    call_command("rotate_encryption", "--new-key", stdout=out)
    key = out.getvalue().strip()
    with override_settings(ENCRYPTION_KEYS=[key]):
        assert crypto.decrypt(crypto.encrypt("x")) == "x"


def test_malformed_key_is_refused_with_a_clear_message():
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(ENCRYPTION_KEYS=["pas-une-cle"]), pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


@pytest.mark.django_db
def test_moving_from_derived_to_explicit_keys_keeps_secrets_readable():
    with override_settings(ENCRYPTION_KEYS=[]):
        acc = account()
    with override_settings(ENCRYPTION_KEYS=[NEW]):
        assert PortalAccount.objects.get(pk=acc.pk).api_key == "cle-secrete-1234567890"
        call_command("rotate_encryption", stdout=StringIO())
        assert crypto.is_current(raw_api_key(acc.pk))
