"""Every read of support requests, filtered by who may read them (see `rules.py`).

Pages, the API and the exports call these selectors, so they see the same rows. A request the
user may not read is "not found", exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.core.errors import NotFound
from mediane.core.permissions import is_authenticated, is_secretariat, require, user_roles
from mediane.support.models import (
    UNTAKEN_STATUSES,
    OfferStatus,
    SupportOffer,
    SupportRequest,
    SupportStatus,
)
from mediane.support.rules import agent_q
from mediane.support.services import stale_days, untaken_days
from mediane.territories.models import Territory


class SupportRequestNotFound(NotFound, Http404):
    pass


def _base() -> QuerySet[SupportRequest]:
    return SupportRequest.objects.select_related("organisation", "territory", "expert", "requester")


def visible_q(user: Any) -> Q:
    """Requests `user` may read: their organisations', those offered to (or taken by) an
    expert they act for; everything for the secretariat; nothing for anyone else."""
    if not is_authenticated(user):
        return Q(pk__in=[])
    if is_secretariat(user):
        return Q()
    offered = SupportOffer.objects.filter(
        agent_q(user),
        request_id=OuterRef("pk"),
        status__in=[OfferStatus.OFFERED, OfferStatus.TAKEN],
    )
    return Q(organisation_id__in=list(user_roles(user))) | Q(Exists(offered))


def requests_visible_to(user: Any) -> QuerySet[SupportRequest]:
    return _base().filter(visible_q(user))


def request_get_for(user: Any, *, pk: Any) -> SupportRequest:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        key = 0
    found = requests_visible_to(user).filter(pk=key).first() if key > 0 else None
    if found is None:
        raise SupportRequestNotFound(_("Cette demande d'accompagnement n'existe pas."))
    return found


def requests_mine(user: Any) -> QuerySet[SupportRequest]:
    """Requests filed by the user's organisations (the requester's side)."""
    if not is_authenticated(user):
        return SupportRequest.objects.none()
    return _base().filter(organisation_id__in=list(user_roles(user)))


def offers_inbox(user: Any) -> QuerySet[SupportOffer]:
    """The offers made to experts the user acts for: pending first, then taken, then the rest."""
    if not is_authenticated(user):
        return SupportOffer.objects.none()
    return (
        SupportOffer.objects.filter(agent_q(user))
        .select_related("request", "request__organisation", "request__territory", "expert")
        .order_by("-offered_at", "-id")
    )


def is_expert_agent(user: Any) -> bool:
    return is_authenticated(user) and (
        hasattr(user, "expert_profile") or SupportOffer.objects.filter(agent_q(user)).exists()
    )


# --- secretariat ---------------------------------------------------------------------------------


@dataclass
class RequestFilters:
    status: str = ""
    language: str = ""
    territory: str = ""
    query: str = ""

    @classmethod
    def from_params(cls, params: Any) -> RequestFilters:
        status = params.get("status", "")
        language = params.get("language", "")
        return cls(
            status=status if status in SupportStatus.values else "",
            language=language if language in ("fr", "en") else "",
            territory=str(params.get("territory", ""))[:100],
            query=str(params.get("q", "")).strip()[:100],
        )


def requests_list_for(user: Any, filters: RequestFilters) -> QuerySet[SupportRequest]:
    """Every request, filtered: the secretariat's list and exports."""
    require(user, "manage", SupportRequest)
    qs = _base().prefetch_related("skills", "offers__expert")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.territory:
        qs = qs.filter(territory__slug=filters.territory)
    if filters.query:
        qs = qs.filter(
            Q(subject__icontains=filters.query)
            | Q(organisation__name__icontains=filters.query)
            | Q(description__icontains=filters.query)
        )
    return qs


def territories_with_requests(user: Any) -> QuerySet[Territory]:
    """Territories having at least one request (the list's filter)."""
    require(user, "manage", SupportRequest)
    return Territory.objects.filter(support_requests__isnull=False).distinct().order_by("name")


def overdue_untaken(*, now: datetime | None = None) -> QuerySet[SupportRequest]:
    """Requests nobody took `untaken_days()` after filing."""
    at = now or timezone.now()
    limit = at - timedelta(days=untaken_days())
    return _base().filter(status__in=list(UNTAKEN_STATUSES), filed_at__lte=limit)


def overdue_stale(*, now: datetime | None = None) -> QuerySet[SupportRequest]:
    """Requests in progress without news for `stale_days()`."""
    at = now or timezone.now()
    limit = at - timedelta(days=stale_days())
    return _base().filter(status=SupportStatus.TAKEN, last_activity_at__lte=limit)


def follow_up_for(user: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """The secretariat's follow-up page: untaken and silent requests, oldest first."""
    if not is_secretariat(user):
        raise PermissionDenied("manage")
    at = now or timezone.now()
    untaken = list(
        overdue_untaken(now=at).prefetch_related("offers__expert").order_by("filed_at", "id")
    )
    stale = list(overdue_stale(now=at).order_by("last_activity_at", "id"))
    for request in untaken:
        request.age_days = (at - request.filed_at).days  # type: ignore[attr-defined]
    for request in stale:
        request.silent_days = (at - request.last_activity_at).days  # type: ignore[attr-defined]
    return {
        "untaken": untaken,
        "stale": stale,
        "untaken_days": untaken_days(),
        "stale_days": stale_days(),
    }
