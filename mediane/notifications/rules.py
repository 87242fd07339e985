"""Permission rules of notifications: each person sees and manages only their own."""

from __future__ import annotations

from typing import Any

from mediane.core.permissions import is_authenticated, rule
from mediane.notifications.models import Follow, Notification, NotificationPreference


def _owns(user: Any, owner_id: int | None) -> bool:
    return is_authenticated(user) and owner_id is not None and owner_id == user.pk


@rule(Notification, "view", "mark_read")
def notification_own(user: Any, obj: Any) -> bool:
    return _owns(user, obj.recipient_id)


@rule(Follow, "view", "delete")
def follow_own(user: Any, obj: Any) -> bool:
    return _owns(user, obj.user_id)


@rule(Follow, "create")
def follow_create(user: Any, obj: Any) -> bool:
    return is_authenticated(user)


@rule(NotificationPreference, "view", "change")
def preference_own(user: Any, obj: Any) -> bool:
    return _owns(user, obj.user_id)
