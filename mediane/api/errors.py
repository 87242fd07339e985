"""The API's error format: JSON with a stable `code` and a French `message`.

Every exception that can leave an operation is turned into one of these bodies, so a client never
sees ninja's default `{"detail": ...}` nor an HTML page:

    {"code": "validation_error", "message": "...", "errors": [{"field": "siret", "message": "..."}]}
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from mediane.core.errors import Conflict, MedianeError, NotFound, ValidationFailed

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("django.request")


class FieldErrorOut(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """Body of every error response."""

    code: str
    message: str
    errors: list[FieldErrorOut] = []


READ_ERRORS = (401, 422, 429)
WRITE_ERRORS = (401, 403, 404, 409, 422, 429)


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """OpenAPI `response=` entries documenting the error bodies an operation may return."""
    return dict.fromkeys(statuses, ErrorOut)


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: str,
    errors: list[dict[str, str]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


# --- translation of pydantic's validation errors into French field messages --------------------


def _field_name(loc: tuple | list) -> str:
    """`("body", "payload", "siret")` → `siret`; `("query", "limit")` → `limit`."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in {"payload", "filters", "data"}:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def _french_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("Ce champ est obligatoire.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Un nombre entier est attendu.")
    if kind in {"float_parsing", "float_type"}:
        return _("Un nombre est attendu.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Une valeur booléenne (true ou false) est attendue.")
    if kind in {"string_type"}:
        return _("Un texte est attendu.")
    if kind == "string_too_long":
        return _("Ce texte est trop long (%(max)s caractères au plus).") % {
            "max": ctx.get("max_length")
        }
    if kind == "string_too_short":
        return _("Ce texte est trop court (%(min)s caractères au moins).") % {
            "min": ctx.get("min_length")
        }
    if kind in {"literal_error", "enum"}:
        expected = str(ctx.get("expected", "")).replace(" or ", ", ")
        return _("Valeur non reconnue ; valeurs possibles : %(expected)s.") % {"expected": expected}
    if kind in {"greater_than_equal", "greater_than"}:
        limit = ctx.get("ge", ctx.get("gt"))
        return _("La valeur doit être au moins %(limit)s.") % {"limit": limit}
    if kind in {"less_than_equal", "less_than"}:
        limit = ctx.get("le", ctx.get("lt"))
        return _("La valeur doit être au plus %(limit)s.") % {"limit": limit}
    if kind in {"list_type", "too_long", "too_short"}:
        return _("Une liste de valeurs est attendue.")
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return _("Un objet JSON est attendu.")
    if kind in {"url_parsing", "url_scheme", "url_type"}:
        return _("Une adresse web valide (http ou https) est attendue.")
    if kind == "value_error":
        # Raised by our own validators, whose messages are already French.
        return str(ctx.get("error") or error.get("msg", "")).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return _("Ce champ n'est pas reconnu.")
    return _("Valeur invalide.")


def validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """ninja's error list → `[{"field", "message"}]` with French messages."""
    return [
        {"field": _field_name(error.get("loc", ())), "message": _french_message(error)}
        for error in errors
    ]


# --- handlers --------------------------------------------------------------------------------

HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_error",
    429: "rate_limited",
}


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default handlers with ones that speak our error format."""

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(
            api,
            request,
            status=422,
            code="validation_error",
            message=_("Certaines valeurs envoyées sont invalides."),
            errors=validation_errors(exc.errors),
        )

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(
            api,
            request,
            status=401,
            code="unauthenticated",
            message=_(
                "Authentification requise : envoyez un jeton d'API valide dans l'en-tête "
                "« Authorization: Bearer <jeton> »."
            ),
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(Throttled)
    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        # ninja adds Retry-After when the throttle knows the wait.
        return error_response(
            api,
            request,
            status=429,
            code="rate_limited",
            message=_("Trop de requêtes : réessayez dans quelques instants."),
        )

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        if status == 400:
            # ninja raises HttpError(400) only when the request body is not valid JSON.
            message = _("Le corps de la requête n'est pas un JSON valide.")
        else:
            message = str(exc)
        return error_response(
            api, request, status=status, code=HTTP_CODES.get(status, "error"), message=message
        )

    @api.exception_handler(PermissionDenied)
    def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(
            api,
            request,
            status=403,
            code="forbidden",
            message=_("Vous n'avez pas le droit d'effectuer cette action."),
        )

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            api, request, status=404, code="not_found", message=_("Ressource introuvable.")
        )

    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(ObjectDoesNotExist, on_not_found)

    @api.exception_handler(MedianeError)
    def on_domain_error(request: HttpRequest, exc: MedianeError) -> HttpResponse:
        if isinstance(exc, ValidationFailed):
            status = 422
        elif isinstance(exc, NotFound):
            status = 404
        elif isinstance(exc, Conflict):
            status = 409
        else:
            status = 400
        errors = [
            {"field": field, "message": str(message)}
            for field, messages in exc.field_errors.items()
            for message in messages
        ]
        return error_response(
            api, request, status=status, code=exc.code, message=str(exc.message), errors=errors
        )

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(
            api,
            request,
            status=413,
            code="payload_too_large",
            message=_("Le corps de la requête est trop volumineux (%(size)s Mo au plus).")
            % {"size": max(1, round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)))},
        )

    @api.exception_handler(SuspiciousOperation)
    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return error_response(
            api, request, status=400, code="bad_request", message=_("Requête refusée.")
        )

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("API error on %s", request.path, exc_info=exc)
        return error_response(
            api,
            request,
            status=500,
            code="server_error",
            message=_("Erreur interne : l'équipe technique a été prévenue."),
        )
