"""Roles and named groups of roles of the permission matrix, shared by its parts
(`tests/core/matrix_parts/<app>.py`).

Roles are relative to one organisation O: its member, editor and admin; the admin of another
organisation; an authenticated outsider with no membership; the secretariat; a superuser; an
anonymous visitor; and an O admin whose account is deactivated.
"""

from __future__ import annotations

ROLES = (
    "anonymous",
    "inactive_admin",
    "outsider",
    "member",
    "editor",
    "admin",
    "admin_other",
    "secretariat",
    "superuser",
)

# Named groups of roles, to keep the table readable.
EVERYONE = frozenset(ROLES)
NOBODY: frozenset[str] = frozenset()
STAFF = frozenset({"secretariat", "superuser"})
AUTHENTICATED = EVERYONE - {"anonymous", "inactive_admin"}
NETWORK = frozenset({"member", "editor", "admin", "admin_other"}) | STAFF
O_MEMBERS = frozenset({"member", "editor", "admin"})
O_EDITORS = frozenset({"editor", "admin"})
O_ADMIN = frozenset({"admin"})
