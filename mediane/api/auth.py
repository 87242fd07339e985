"""Token authentication: `Authorization: Bearer <token>` → the token's user.

The API never looks at the session cookie: a request is either anonymous or carries a personal
API token (created on the profile page). Because no cookie can authenticate a call, cross-site
requests cannot act on anyone's behalf and the API needs no CSRF token.

- `optional_token` (reads): no header → anonymous; a valid token → its user; a bad token → 401.
- `require_token` (writes and /me): a valid token is required → 401 otherwise.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer


def _authenticate(raw: str) -> Any:
    from mediane.accounts.services import api_token_authenticate

    raw = raw.strip()
    if not raw or len(raw) > 200:
        return None
    user = api_token_authenticate(raw)
    if user is None or not user.is_active:
        return None
    return user


class TokenAuth(HttpBearer):
    """A bearer token is required; its user becomes `request.auth`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _authenticate(token)


class OptionalTokenAuth(HttpBearer):
    """Anonymous unless a bearer token is sent; a sent token must be valid."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.headers.get(self.header):
            return AnonymousUser()
        user = super().__call__(request)
        if user is None:
            # A wrong or revoked token is an error, not a silent downgrade to anonymous.
            raise AuthenticationError()
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _authenticate(token)


require_token = TokenAuth()
optional_token = OptionalTokenAuth()


def request_user(request: HttpRequest) -> Any:
    """The caller as seen by selectors and services: a User or AnonymousUser."""
    return getattr(request, "auth", None) or AnonymousUser()
