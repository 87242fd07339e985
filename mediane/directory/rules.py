"""Permission rules of the directory (see docs/architecture.md, "Roles and visibility")."""

from __future__ import annotations

from typing import Any

from mediane.core.permissions import (
    can_see_visibility,
    has_role,
    is_authenticated,
    is_secretariat,
    rule,
)
from mediane.directory.models import Expert, Organisation, Sector


@rule(Organisation, "view")
def organisation_view(user: Any, obj: Any) -> bool:
    return can_see_visibility(user, obj.visibility, obj.pk)


@rule(Organisation, "change")
def organisation_change(user: Any, obj: Any) -> bool:
    return is_secretariat(user) or has_role(user, obj.pk, "editor")


@rule(Organisation, "delete", "manage_members")
def organisation_admin(user: Any, obj: Any) -> bool:
    return is_secretariat(user) or has_role(user, obj.pk, "admin")


@rule(Organisation, "create")
@rule(Expert, "create")
def authenticated_create(user: Any, obj: Any) -> bool:
    return is_authenticated(user)


def _is_own_expert(user: Any, expert: Any) -> bool:
    return is_authenticated(user) and expert.user_id is not None and expert.user_id == user.pk


@rule(Expert, "view")
def expert_view(user: Any, obj: Any) -> bool:
    return _is_own_expert(user, obj) or can_see_visibility(
        user, obj.visibility, obj.organisation_id
    )


@rule(Expert, "change")
def expert_change(user: Any, obj: Any) -> bool:
    return (
        _is_own_expert(user, obj)
        or is_secretariat(user)
        or has_role(user, obj.organisation_id, "editor")
    )


@rule(Expert, "delete")
def expert_delete(user: Any, obj: Any) -> bool:
    return (
        _is_own_expert(user, obj)
        or is_secretariat(user)
        or has_role(user, obj.organisation_id, "admin")
    )


@rule(Sector, "view")
def sector_view(user: Any, obj: Any) -> bool:
    return True


@rule(Sector, "change", "create", "delete")
def sector_manage(user: Any, obj: Any) -> bool:
    return is_secretariat(user)
