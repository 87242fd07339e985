"""Arithmetic of two-factor authentication: TOTP codes (RFC 6238) and recovery codes.

No Django import: the services (`accounts/two_factor.py`) feed it a secret, a time and the last
time step used, and store what it returns. Codes are 6 digits over 30-second steps (what every
authenticator app uses); a code is accepted one step early or late (clock drift), and never for a
step at or before the last one used, so a code seen over someone's shoulder cannot be replayed.
"""

from __future__ import annotations

import secrets

import pyotp
from pyotp.utils import strings_equal

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps accepted before and after the current one
RECOVERY_CODE_COUNT = 10
# Lower-case letters and digits without the look-alikes (0/o, 1/l/i): 31 symbols, 12 of them per
# code, about 59 bits of entropy each.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 12


def new_secret() -> str:
    """A random base32 secret of 160 bits (RFC 4226 recommends at least 128)."""
    return pyotp.random_base32(length=32)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The `otpauth://` address the authenticator app reads from the QR code."""
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)


def step_at(timestamp: float) -> int:
    """The time step (counter) of a Unix time."""
    return int(timestamp // STEP_SECONDS)


def code_at_step(secret: str, step: int) -> str:
    return _totp(secret).generate_otp(step)


def clean_code(text: str) -> str:
    """What the person typed, without spaces, dashes and case: `123 456` -> `123456`."""
    return "".join(ch for ch in text.lower() if ch not in " -\t")


def is_totp_shaped(text: str) -> bool:
    cleaned = clean_code(text)
    return len(cleaned) == DIGITS and cleaned.isascii() and cleaned.isdigit()


def matching_step(
    secret: str, code: str, *, timestamp: float, after_step: int | None, window: int = WINDOW
) -> int | None:
    """The time step whose code is `code`, within ±`window` of `timestamp` and after
    `after_step` (the last step used), or None. Every candidate is compared in constant time."""
    if not is_totp_shaped(code):
        return None
    cleaned = clean_code(code)
    current = step_at(timestamp)
    found = None
    for step in range(current - window, current + window + 1):
        if after_step is not None and step <= after_step:
            continue
        if strings_equal(code_at_step(secret, step), cleaned) and found is None:
            found = step
    return found


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """`count` single-use codes, shown as `abcd-efgh-jkmn`."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
    return codes


def is_recovery_shaped(text: str) -> bool:
    cleaned = clean_code(text)
    return len(cleaned) == RECOVERY_LENGTH and all(ch in RECOVERY_ALPHABET for ch in cleaned)


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
