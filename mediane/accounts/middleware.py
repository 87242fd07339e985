"""Two-factor authentication at the door of the pages.

- The technical administration (`/admin/`) is open only to a session that passed the second step
  when the person has a device: a session opened before the device was enrolled (another
  browser) is asked for a code first.
- With `MEDIANE_2FA_REQUIRED_FOR_STAFF`, the secretariat, staff and superusers are sent to the
  enrolment page until they have enrolled (logout, the login steps and the API stay open; the
  API never reads the session).

Ordinary pages of people without that obligation cost no query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from mediane.accounts import two_factor

VERIFIED_SESSION_KEY = "two_factor_verified"

# Views a person obliged to enrol may still reach.
_OPEN_VIEWS = {
    "accounts:two_factor_setup",
    "accounts:logout",
    "accounts:login",
    "accounts:login_verify",
    "set_language",
    "healthz",
    "readyz",
    "metrics",
    "core:healthz",
    "core:readyz",
    "core:metrics",
}
_OPEN_PREFIXES = ("/api/",)


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.session.get(VERIFIED_SESSION_KEY):
            return None
        match = request.resolver_match
        namespaces = match.namespaces if match else []
        if "admin" in namespaces and two_factor.has_two_factor(user):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('accounts:login_verify')}?{query}")
        if not two_factor.required_for(user):
            return None
        view_name = match.view_name if match else ""
        if view_name in _OPEN_VIEWS or request.path_info.startswith(_OPEN_PREFIXES):
            return None
        if request.path_info.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
            return None
        if two_factor.has_two_factor(user):
            return None
        messages.warning(
            request,
            _(
                "Votre rôle (secrétariat ou administration technique) impose la double "
                "authentification : activez-la pour continuer à utiliser Médiane."
            ),
        )
        return HttpResponseRedirect(reverse("accounts:two_factor_setup"))
