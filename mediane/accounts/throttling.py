"""Login throttling helpers (django-axes)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The login e-mail, lower-cased: logins ignore case, so must the failure counter.

    Without this, `Camille@…`, `CAMILLE@…` … would each get their own allowance of attempts.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    value = (credentials or {}).get(field)
    if value is None and request is not None:
        value = getattr(request, "POST", {}).get(field)
    return value.strip().lower() if isinstance(value, str) else value
