"""Request middleware of Médiane."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    """French unless the visitor chose another language with the switch (language cookie).

    Django's LocaleMiddleware follows the browser's Accept-Language; Médiane speaks French first
    whatever the browser says, and English only when asked (the switch, or the account's
    preferred language applied at login).
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else ""
        except LookupError:
            language = ""
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


class NulByteGuardMiddleware:
    """Refuses an API query string that carries a NUL character (`%00`).

    No field of Médiane may hold one (PostgreSQL text refuses it), so such an API request can
    only be an error or a probe: it gets the API's JSON error (422, `validation_error`) instead of
    reaching a query that would fail with a server error. Pages already drop filters they cannot
    read (their tests send `%00`), so they are left to do so.
    Bodies are checked where they are parsed (forms and API schemas), not here: reading
    `request.POST` in a middleware would stop views from choosing their upload handlers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = _("La requête contient un caractère nul : elle est refusée.")
            return JsonResponse({"code": "validation_error", "message": message}, status=422)
        return self.get_response(request)
