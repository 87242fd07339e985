"""Permission rules: one place that answers "may this user do this action on this object?".

Services call `require(...)` before writing; selectors filter querysets with the `*_q` helpers.
Rules are registered per (model, action) by each app's `rules.py` (imported in AppConfig.ready).
tests/core/test_permission_matrix.py walks every registered rule for every role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model

Rule = Callable[[Any, Any], bool]
_RULES: dict[tuple[type[Model], str], Rule] = {}


def rule(model: type[Model], *actions: str) -> Callable[[Rule], Rule]:
    """Register `func(user, obj) -> bool` as the rule for `model` and each of `actions`."""

    def decorator(func: Rule) -> Rule:
        for action in actions:
            _RULES[(model, action)] = func
        return func

    return decorator


def registered_rules() -> dict[tuple[type[Model], str], Rule]:
    return dict(_RULES)


def can(user: Any, action: str, obj: Any) -> bool:
    """True when `user` may perform `action` on `obj` (a model instance or a model class)."""
    # obj.__class__ (not type(obj)) sees through lazy wrappers such as request.user.
    model = obj if isinstance(obj, type) else obj.__class__
    func = _RULES.get((model, action))
    if func is None:
        # Unknown (model, action) pairs are refused: permissions are opt-in.
        return False
    if (
        user is not None
        and getattr(user, "is_active", False)
        and getattr(user, "is_superuser", False)
    ):
        return True
    return bool(func(user, obj))


def require(user: Any, action: str, obj: Any) -> None:
    """Raise PermissionDenied unless `can(user, action, obj)`."""
    if not can(user, action, obj):
        raise PermissionDenied(action)


def is_authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_secretariat(user: Any) -> bool:
    return is_authenticated(user) and (user.is_secretariat or user.is_superuser)


def role_in(user: Any, organisation_id: int | None) -> str | None:
    """The user's role in the organisation (admin, editor, member) or None.

    Cached per request user.
    """
    if not is_authenticated(user) or organisation_id is None:
        return None
    return user_roles(user).get(organisation_id)


def user_roles(user: Any) -> dict[int, str]:
    """{organisation_id: role} for the user, computed once per user object."""
    if not is_authenticated(user):
        return {}
    cached = getattr(user, "_mediane_roles", None)
    if cached is None:
        from mediane.accounts.models import Membership

        cached = dict(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
        user._mediane_roles = cached
    return cached


def forget_roles(user: Any) -> None:
    """Drop the cached roles after a membership change."""
    if user is not None and hasattr(user, "_mediane_roles"):
        del user._mediane_roles


def is_network_member(user: Any) -> bool:
    """Members of the network: the secretariat and anyone belonging to at least one organisation."""
    return is_secretariat(user) or bool(user_roles(user))


ROLE_RANK = {"member": 1, "editor": 2, "admin": 3}


def has_role(user: Any, organisation_id: int | None, minimum: str) -> bool:
    role = role_in(user, organisation_id)
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[minimum]


def visible_q(user: Any, *, owner_field: str = "pk", visibility_field: str = "visibility"):  # type: ignore[no-untyped-def]
    """A Q filter for objects carrying a Visibility that `user` may read.

    `owner_field` is the path to the owning organisation's id (`pk` for an Organisation itself).
    """
    from django.db.models import Q

    if is_secretariat(user):
        return Q()
    q = Q(**{visibility_field: "public"})
    if is_network_member(user):
        q |= Q(**{visibility_field: "network"})
        org_ids = list(user_roles(user))
        if org_ids:
            q |= Q(**{f"{owner_field}__in": org_ids})
    return q


def can_see_visibility(user: Any, visibility: str, owner_id: int | None) -> bool:
    if visibility == "public" or is_secretariat(user):
        return True
    if visibility == "network":
        return is_network_member(user)
    return role_in(user, owner_id) is not None
