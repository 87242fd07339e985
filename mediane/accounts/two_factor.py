"""Two-factor authentication (TOTP): enrolment, the login's second step, recovery codes, removal.

Every write is here (services, each in one transaction, each with its audit entry); the codes'
arithmetic is in `accounts/totp.py`. A person manages only their own device: the services take
the person (`user=`), who is the actor.

Wrong codes are counted on the device, not by IP address: after `AXES_FAILURE_LIMIT` of them
(`MEDIANE_LOGIN_FAILURE_LIMIT`, 5) in a row, codes are refused for `AXES_COOLOFF_TIME`
(`MEDIANE_LOGIN_COOLOFF_MINUTES`, 15), so someone who knows the password cannot try the million
codes from many addresses. The failure is committed before the error is raised.
"""

from __future__ import annotations

import math
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mediane.accounts import totp
from mediane.accounts.models import RecoveryCode, TOTPDevice, User
from mediane.accounts.services import security_notice_send
from mediane.core.errors import Conflict, MedianeError, NotFound, ValidationFailed
from mediane.core.services import audit_record

ISSUER = "Médiane"


class RecoveryCodeHasher(PBKDF2PasswordHasher):
    """PBKDF2-SHA256 with fewer rounds than passwords: a recovery code is random (about 59 bits),
    not chosen by a person, so the rounds need not make up for a weak secret; checking the ten
    codes of a device stays fast (Argon2 takes close to a second per code on a small server).
    The stored form is Django's usual `pbkdf2_sha256$rounds$salt$hash`."""

    iterations = 20_000


_HASHER = RecoveryCodeHasher()


class TwoFactorLocked(MedianeError):
    code = "two_factor_locked"


# --- reads -------------------------------------------------------------------------------------


def device_of(user: Any) -> TOTPDevice | None:
    """The person's device, confirmed or pending, or None."""
    if user.pk is None:
        return None
    return TOTPDevice.objects.filter(user_id=user.pk).first()


def has_two_factor(user: Any) -> bool:
    """True when the person has a confirmed device: their login needs a code."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def is_offered_prominently(user: Any) -> bool:
    """Organisation administrators, the secretariat and the technical team are invited to use it."""
    if user.is_superuser or user.is_staff or user.is_secretariat:
        return True
    return user.memberships.filter(role="admin").exists()


def required_for(user: Any) -> bool:
    """True when `MEDIANE_2FA_REQUIRED_FOR_STAFF` obliges this person to enrol."""
    return bool(settings.TWO_FACTOR_REQUIRED_FOR_STAFF) and bool(
        user.is_secretariat or user.is_superuser or user.is_staff
    )


def remaining_recovery_codes(device: TOTPDevice) -> int:
    return device.recovery_codes.filter(used_at__isnull=True).count()


def provisioning_uri(device: TOTPDevice) -> str:
    return totp.provisioning_uri(device.secret, account=device.user.email, issuer=ISSUER)


# --- helpers -----------------------------------------------------------------------------------


def _cooloff() -> timedelta:
    return timedelta(hours=float(settings.AXES_COOLOFF_TIME))


def _locked_error(until: Any) -> TwoFactorLocked:
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return TwoFactorLocked(
        ngettext(
            "Trop de codes erronés. Par sécurité, la vérification est suspendue : réessayez dans "
            "%(minutes)d minute.",
            "Trop de codes erronés. Par sécurité, la vérification est suspendue : réessayez dans "
            "%(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes}
    )


def _wrong_code() -> ValidationFailed:
    message = _("Ce code n'est pas valable (ou a déjà servi). Vérifiez l'heure de votre téléphone.")
    return ValidationFailed(message, field_errors={"code": [message]})


def _new_recovery_codes(device: TOTPDevice) -> list[str]:
    codes = totp.new_recovery_codes()
    device.recovery_codes.all().delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=make_password(totp.clean_code(c), hasher=_HASHER))
        for c in codes
    )
    return codes


def _use_totp(device: TOTPDevice, code: str) -> bool:
    """Accept a TOTP code once: the step is written only if it is still after the last one."""
    step = totp.matching_step(
        device.secret, code, timestamp=time.time(), after_step=device.last_used_step
    )
    if step is None:
        return False
    now = timezone.now()
    claimed = (
        TOTPDevice.objects.filter(pk=device.pk)
        .exclude(last_used_step__gte=step)
        .update(last_used_step=step, last_used_at=now)
    )
    device.last_used_step, device.last_used_at = step, now
    return claimed == 1


def _use_recovery_code(device: TOTPDevice, code: str) -> bool:
    """Accept an unused recovery code once (marked used in the same transaction)."""
    if not totp.is_recovery_shaped(code):
        return False
    cleaned = totp.clean_code(code)
    for row in device.recovery_codes.filter(used_at__isnull=True).order_by("pk"):
        if _HASHER.verify(cleaned, row.code_hash):
            used = RecoveryCode.objects.filter(pk=row.pk, used_at__isnull=True).update(
                used_at=timezone.now()
            )
            return used == 1
    return False


def _check_code(device: TOTPDevice, code: str, *, allow_recovery: bool = True) -> str:
    """Check `code` (TOTP, or a recovery code) against a confirmed device, with the throttle.

    Returns "totp" or "recovery". On a wrong code, the failure is committed before the error
    is raised, so the caller's transaction must not be open (services call it first).
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if device.locked_until and device.locked_until > timezone.now():
            raise _locked_error(device.locked_until)
        method = ""
        if _use_totp(device, code):
            method = "totp"
        elif allow_recovery and _use_recovery_code(device, code):
            method = "recovery"
            audit_record(
                actor=device.user,
                action="two_factor.recovery_code_use",
                obj=device,
                changes={"remaining": remaining_recovery_codes(device)},
            )
        if method:
            if device.failed_attempts or device.locked_until:
                TOTPDevice.objects.filter(pk=device.pk).update(failed_attempts=0, locked_until=None)
            return method
        failures = device.failed_attempts + 1
        locked_until = None
        if failures >= int(settings.AXES_FAILURE_LIMIT):
            locked_until, failures = timezone.now() + _cooloff(), 0
        TOTPDevice.objects.filter(pk=device.pk).update(
            failed_attempts=failures, locked_until=locked_until
        )
    if locked_until is not None:
        raise _locked_error(locked_until)
    raise _wrong_code()


def _confirmed_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise NotFound(_("La double authentification n'est pas activée sur ce compte."))
    return device


def _check_password(user: User, password: str | None) -> None:
    if not password or not user.check_password(password):
        message = _("Le mot de passe est incorrect.")
        raise ValidationFailed(message, field_errors={"password": [message]})


# --- services ----------------------------------------------------------------------------------


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """Begin enrolment: a pending device with a new secret (a pending one is replaced)."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise Conflict(_("La double authentification est déjà activée."), code="two_factor_enabled")
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, secret=totp.new_secret())


def totp_device_confirm(*, user: User, code: str) -> list[str]:
    """Finish enrolment with a first code from the app; returns the 10 recovery codes (shown
    once). Not throttled: the person is signed in and already sees the secret."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            raise NotFound(_("Commencez par afficher le QR code de votre application."))
        if device.confirmed:
            raise Conflict(
                _("La double authentification est déjà activée."), code="two_factor_enabled"
            )
        if not _use_totp(device, code):
            raise _wrong_code()
        device.confirmed, device.confirmed_at = True, timezone.now()
        device.save(update_fields=["confirmed", "confirmed_at"])
        codes = _new_recovery_codes(device)
        audit_record(actor=user, action="two_factor.enable", obj=device)
        security_notice_send(user=user, event="two_factor_enabled")
    return codes


def two_factor_verify(*, user: User, code: str) -> str:
    """The login's second step: a TOTP code or an unused recovery code (then consumed).

    Returns "totp" or "recovery"; raises `ValidationFailed` on a wrong code, `TwoFactorLocked`
    after too many."""
    return _check_code(_confirmed_device(user), code)


def recovery_codes_regenerate(
    *, user: User, password: str | None = None, code: str | None = None
) -> list[str]:
    """New recovery codes (the old ones stop working), after the password or a TOTP code."""
    device = _confirmed_device(user)
    if code:
        _check_code(device, code, allow_recovery=False)
    else:
        _check_password(user, password)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        codes = _new_recovery_codes(device)
        audit_record(actor=user, action="two_factor.recovery_codes_regenerate", obj=device)
        security_notice_send(user=user, event="recovery_codes_regenerated")
    return codes


def totp_device_disable(*, user: User, password: str | None, code: str) -> None:
    """Remove two-factor authentication, after the password and a code (TOTP or recovery)."""
    device = _confirmed_device(user)
    if required_for(user):
        raise Conflict(
            _("Votre rôle impose la double authentification : elle ne peut pas être désactivée."),
            code="two_factor_required",
        )
    _check_password(user, password)
    _check_code(device, code)
    with transaction.atomic():
        audit_record(actor=user, action="two_factor.disable", obj=device)
        TOTPDevice.objects.filter(pk=device.pk).delete()
        security_notice_send(user=user, event="two_factor_disabled")
