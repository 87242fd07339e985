"""Pages of two-factor authentication: the login's second step, enrolment, recovery codes, removal.

The first login step (`views.LoginView`) does not log a person with a device in: it keeps their
id in the session for `PENDING_SECONDS` and sends them here for a code.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from mediane.accounts import totp, two_factor
from mediane.accounts.forms import (
    TwoFactorCodeForm,
    TwoFactorConfirmForm,
    TwoFactorDisableForm,
    TwoFactorRegenerateForm,
    apply_error,
)
from mediane.accounts.middleware import VERIFIED_SESSION_KEY
from mediane.accounts.models import User
from mediane.core.errors import MedianeError

PENDING_SESSION_KEY = "two_factor_pending"
PENDING_SECONDS = 5 * 60


def _safe(request: HttpRequest, target: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else ""


def start_pending_login(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """After a right password: remember who is logging in, ask for the code."""
    request.session[PENDING_SESSION_KEY] = {
        "user_id": user.pk,
        "backend": getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"),
        "expires": time.time() + PENDING_SECONDS,
        "next": _safe(request, next_url),
    }
    return redirect("accounts:login_verify")


def _pending_user(request: HttpRequest) -> tuple[User | None, dict[str, Any]]:
    pending = request.session.get(PENDING_SESSION_KEY) or {}
    if not pending:
        return None, {}
    if pending.get("expires", 0) < time.time():
        request.session.pop(PENDING_SESSION_KEY, None)
        messages.error(request, _("Le délai de vérification est dépassé : reconnectez-vous."))
        return None, {}
    user = User.objects.filter(pk=int(pending.get("user_id") or 0), is_active=True).first()
    return user, pending


def login_verify(request: HttpRequest) -> HttpResponse:
    """Second step « Code de vérification »: a code of the app or a recovery code.

    Also asked of a signed-in person with a device whose session has not passed it (a session
    opened before the enrolment) before the technical administration."""
    signed_in = request.user.is_authenticated
    if signed_in:
        user: User | None = request.user  # type: ignore[assignment]
        pending: dict[str, Any] = {"next": _safe(request, request.GET.get("next", ""))}
        if request.session.get(VERIFIED_SESSION_KEY) or not two_factor.has_two_factor(user):
            return redirect(pending["next"] or settings.LOGIN_REDIRECT_URL)
    else:
        user, pending = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            method = two_factor.two_factor_verify(user=user, code=form.cleaned_data["code"])
        except two_factor.TwoFactorLocked as error:
            request.session.pop(PENDING_SESSION_KEY, None)
            context: dict[str, object] = {"locked": error.message, "signed_in": signed_in}
            return render(request, "accounts/login_verify.html", context, status=429)
        except MedianeError as error:
            apply_error(form, error)
        else:
            return _verified(request, user, pending, method, signed_in=signed_in)
    if form.errors:
        status = 400
    context = {"form": form, "signed_in": signed_in}
    return render(request, "accounts/login_verify.html", context, status=status)


def _verified(
    request: HttpRequest, user: User, pending: dict[str, Any], method: str, *, signed_in: bool
) -> HttpResponse:
    from mediane.accounts.views import set_language_cookie

    if not signed_in:
        request.session.pop(PENDING_SESSION_KEY, None)
        login(request, user, backend=pending.get("backend"))
        translation.activate(user.preferred_language)
    request.session[VERIFIED_SESSION_KEY] = True
    if method == "recovery":
        device = two_factor.device_of(user)
        left = two_factor.remaining_recovery_codes(device) if device else 0
        messages.warning(
            request,
            _(
                "Vous avez utilisé un code de secours ; il vous en reste %(count)d. Générez-en de "
                "nouveaux depuis votre profil si besoin."
            )
            % {"count": left},
        )
    response = redirect(_safe(request, pending.get("next", "")) or settings.LOGIN_REDIRECT_URL)
    if not signed_in:
        set_language_cookie(response, user.preferred_language)
    return response


def _qr_data_uri(uri: str) -> str:
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#0b1f3a", light="#fff")


def _codes_page(request: HttpRequest, codes: list[str], *, first: bool) -> HttpResponse:
    """The recovery codes, shown in this response only (never cached)."""
    response = render(request, "accounts/two_factor_codes.html", {"codes": codes, "first": first})
    add_never_cache_headers(response)
    return response


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: start (new secret), show the QR code and the key, confirm with a first code."""
    user: User = request.user  # type: ignore[assignment]
    device = two_factor.device_of(user)
    if device is not None and device.confirmed:
        return redirect(reverse("accounts:profile") + "#titre-2fa")
    form = TwoFactorConfirmForm(request.POST if "code" in request.POST else None)
    if request.method == "POST" and "start" in request.POST:
        try:
            two_factor.totp_device_start(user=user)
        except MedianeError as error:
            messages.error(request, error.message)
        return redirect("accounts:two_factor_setup")
    if request.method == "POST" and device is not None and form.is_valid():
        try:
            codes = two_factor.totp_device_confirm(user=user, code=form.cleaned_data["code"])
        except MedianeError as error:
            apply_error(form, error)
        else:
            request.session[VERIFIED_SESSION_KEY] = True
            messages.success(request, _("La double authentification est activée."))
            return _codes_page(request, codes, first=True)
    context: dict[str, Any] = {"device": device, "form": form}
    if device is not None:
        context["qr"] = _qr_data_uri(two_factor.provisioning_uri(device))
        context["secret"] = totp.grouped_secret(device.secret)
    context["required"] = two_factor.required_for(user)
    response = render(
        request, "accounts/two_factor_setup.html", context, status=400 if form.errors else 200
    )
    add_never_cache_headers(response)  # the page shows the secret
    return response


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, after the password or a code of the app."""
    user: User = request.user  # type: ignore[assignment]
    if not two_factor.has_two_factor(user):
        raise PermissionDenied("two_factor")
    form = TwoFactorRegenerateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.recovery_codes_regenerate(user=user, **form.cleaned_data)
        except MedianeError as error:
            apply_error(form, error)
        else:
            return _codes_page(request, codes, first=False)
    return render(
        request,
        "accounts/two_factor_regenerate.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def disable(request: HttpRequest) -> HttpResponse:
    """Remove two-factor authentication, after the password and a code."""
    user: User = request.user  # type: ignore[assignment]
    if not two_factor.has_two_factor(user):
        return redirect("accounts:profile")
    form = TwoFactorDisableForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.totp_device_disable(user=user, **form.cleaned_data)
        except MedianeError as error:
            apply_error(form, error)
        else:
            request.session.pop(VERIFIED_SESSION_KEY, None)
            messages.success(request, _("La double authentification est désactivée."))
            return redirect("accounts:profile")
    context = {"form": form, "required": two_factor.required_for(user)}
    return render(
        request, "accounts/two_factor_disable.html", context, status=400 if form.errors else 200
    )


def admin_login(request: HttpRequest) -> HttpResponse:
    """The technical administration's login goes through the site's login (and its second step)."""
    next_url = _safe(request, request.GET.get("next", "")) or reverse("admin:index")
    if request.user.is_authenticated:
        if not request.user.is_staff:
            raise PermissionDenied("admin")
        return redirect(next_url)
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
