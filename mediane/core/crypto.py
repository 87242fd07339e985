"""Secrets stored encrypted at rest: portal API keys, TOTP seeds.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from the `cryptography` package)
under a list of keys (MultiFernet): the first key encrypts, every key decrypts, so keys can be
rotated without downtime:

1. put the new key first in `MEDIANE_ENCRYPTION_KEYS` and keep the old one after it;
2. restart the app servers and workers;
3. run `mediane rotate-encryption`, which re-encrypts every stored secret with the first key;
4. remove the old key.

Without `MEDIANE_ENCRYPTION_KEYS`, keys are derived (HKDF-SHA256) from `SECRET_KEY` and then
from each of `SECRET_KEY_FALLBACKS`, so rotating `SECRET_KEY` the Django way (old key moved to
the fallbacks) keeps the secrets readable until `mediane rotate-encryption` has run. The
derived keys always decrypt, also after explicit keys are set.

Stored text is `enc1:<fernet token>`; a value without that prefix is legacy plain text, read
as is and encrypted at its next save (and by `mediane rotate-encryption`).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"
_HKDF_INFO = b"mediane field encryption v1"


class DecryptionError(Exception):
    """A stored secret could not be read with any configured key."""


def derive_key(secret: str) -> bytes:
    """A Fernet key derived from a Django SECRET_KEY (HKDF-SHA256, fixed salt and info)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"mediane", info=_HKDF_INFO).derive(
        secret.encode()
    )
    return base64.urlsafe_b64encode(raw)


def generate_key() -> str:
    """A new random key for MEDIANE_ENCRYPTION_KEYS."""
    return Fernet.generate_key().decode()


def configured_keys() -> list[bytes]:
    """The keys, the encrypting one first: the explicit keys, then the keys derived from
    SECRET_KEY and its fallbacks (which only decrypt when explicit keys are set, so moving
    from derived to explicit keys needs no extra step)."""
    explicit = [k.strip().encode() for k in getattr(settings, "ENCRYPTION_KEYS", []) if k.strip()]
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    derived = [derive_key(s) for s in secrets if s]
    return explicit + [k for k in derived if k not in explicit]


def _fernet() -> MultiFernet:
    keys = configured_keys()
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "MEDIANE_ENCRYPTION_KEYS: each key must be 32 bytes in URL-safe base64 "
            "(make one with `mediane rotate-encryption --new-key`)."
        ) from exc


def encrypt(value: str) -> str:
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # legacy plain text
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError(
            "Secret chiffré illisible : la clé qui l'a chiffré n'est plus configurée "
            "(MEDIANE_ENCRYPTION_KEYS, SECRET_KEY, SECRET_KEY_FALLBACKS)."
        ) from exc


def is_current(stored: str) -> bool:
    """True when `stored` is encrypted with the first configured key."""
    if not stored.startswith(PREFIX):
        return not stored
    try:
        Fernet(configured_keys()[0]).decrypt(stored[len(PREFIX) :].encode())
    except InvalidToken:
        return False
    return True


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; Python code sees the plain text.

    Not searchable nor sortable in the database, by design. Empty strings stay empty."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(PREFIX):
            return decrypt(value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def encrypted_fields() -> Iterator[tuple[type[models.Model], str]]:
    """Every (model, field name) stored with EncryptedTextField."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field.name


def rotate() -> dict[str, int]:
    """Re-encrypt every stored secret with the first key; returns rows rewritten per model."""
    from django.db import transaction
    from django.db.models.functions import Cast

    counts: dict[str, int] = {}
    for model, name in encrypted_fields():
        rewritten = 0
        with transaction.atomic():
            # The stored text as is (a plain TextField output does not decrypt it).
            rows = (
                model._default_manager.select_for_update()
                .annotate(_stored=Cast(name, models.TextField()))
                .values_list("pk", "_stored")
            )
            for pk, stored in rows.iterator():
                if not stored or is_current(stored):
                    continue
                model._default_manager.filter(pk=pk).update(**{name: decrypt(stored)})
                rewritten += 1
        counts[model._meta.label] = rewritten
    return counts
