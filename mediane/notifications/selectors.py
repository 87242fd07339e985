"""Reads of notifications, follows and preferences: always those of the user asking."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from mediane.core.errors import NotFound
from mediane.core.permissions import is_authenticated
from mediane.notifications.models import Follow, Notification, NotificationPreference


class NotificationNotFound(NotFound, Http404):
    """Missing or someone else's notification: a 404 page, a not_found code in the API."""


class FollowNotFound(NotFound, Http404):
    pass


def notifications_for(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, unread first, then newest first."""
    if not is_authenticated(user):
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.annotate(
        unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    ).order_by("-unread", "-created_at", "-id")


def notification_get_for(*, user: Any, pk: int) -> Notification:
    """One of the user's notifications; NotFound for anyone else's (no hint that it exists)."""
    found = notifications_for(user=user).filter(pk=pk).first()
    if found is None:
        raise NotificationNotFound(_("Notification introuvable."))
    return found


UNREAD_CACHE_SECONDS = 30


def unread_cache_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(*, user: Any, cached: bool = False) -> int:
    """The user's unread notifications. `cached=True` (the header on every page) reads a count
    kept at most 30 s and dropped by every write that changes it, so pages cost no query."""
    if not is_authenticated(user):
        return 0
    key = unread_cache_key(user.pk)
    if cached:
        found = cache.get(key)
        if found is not None:
            return int(found)
    count = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
    cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def follows_for(*, user: Any) -> QuerySet[Follow]:
    if not is_authenticated(user):
        return Follow.objects.none()
    return Follow.objects.filter(user_id=user.pk).select_related(
        "sector", "territory", "organisation"
    )


def follow_find(
    *,
    user: Any,
    sector: Any = None,
    territory: Any = None,
    organisation: Any = None,
) -> Follow | None:
    """The user's follow of this sector, territory or organisation, if any."""
    if not is_authenticated(user):
        return None
    if sector is not None:
        return Follow.objects.filter(user_id=user.pk, sector=sector).first()
    if territory is not None:
        return Follow.objects.filter(user_id=user.pk, territory=territory).first()
    if organisation is not None:
        return Follow.objects.filter(user_id=user.pk, organisation=organisation).first()
    return None


def preference_for(*, user: Any) -> NotificationPreference:
    """The user's e-mail preference; an unsaved default (daily, every topic) when none exists."""
    found = NotificationPreference.objects.filter(user_id=user.pk).first()
    return found or NotificationPreference(user=user)


def warm_unread_count(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """On login (`user_logged_in`): count once, so the pages that follow read the cache."""
    unread_count(user=user)
