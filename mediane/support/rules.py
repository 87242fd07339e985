"""Permission rules of support (`core.permissions.rule`).

Who is who on a request:

- the *requester's side*: every member of the organisation that filed it;
- an *expert's agent*: the expert's own account, or an editor or admin of the expert's firm;
- the *offered experts*: experts whose offer is pending (`offered`) or who took the request;
- the secretariat, which reads and steers every request.

Nobody else reads a request (it is in no search index, and the API and exports use the same
selectors). Rules answer "who"; the services check "when" (the request's state) and say why.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from mediane.core.permissions import (
    ROLE_RANK,
    is_authenticated,
    is_secretariat,
    role_in,
    rule,
    user_roles,
)
from mediane.support.models import OfferStatus, SupportRequest


def agent_q(user: Any, prefix: str = "expert__") -> Q:
    """Experts `user` acts for: their own profile, or a firm where they are editor or admin."""
    firms = [
        org_id
        for org_id, role in user_roles(user).items()
        if ROLE_RANK[role] >= ROLE_RANK["editor"]
    ]
    q = Q(**{f"{prefix}user_id": user.pk})
    if firms:
        q |= Q(**{f"{prefix}organisation_id__in": firms})
    return q


def offer_statuses_for(user: Any, request: SupportRequest) -> set[str]:
    """Statuses of the offers of `request` made to experts `user` acts for (cached)."""
    if not is_authenticated(user) or request.pk is None:
        return set()
    cache: dict[int, set[str]] = request.__dict__.setdefault("_agent_offers", {})
    if user.pk not in cache:
        cache[user.pk] = set(
            request.offers.filter(agent_q(user)).values_list("status", flat=True)  # type: ignore[attr-defined]
        )
    return cache[user.pk]


def is_requester_side(user: Any, request: SupportRequest) -> bool:
    return role_in(user, request.organisation_id) is not None


@rule(SupportRequest, "view")
def request_view(user: Any, obj: Any) -> bool:
    if not is_authenticated(user):
        return False
    return (
        is_secretariat(user)
        or is_requester_side(user, obj)
        or bool(offer_statuses_for(user, obj) & {OfferStatus.OFFERED, OfferStatus.TAKEN})
    )


@rule(SupportRequest, "create")
def request_create(user: Any, obj: Any) -> bool:
    """Any person belonging to an organisation (the service checks which one)."""
    return is_authenticated(user) and bool(user_roles(user))


@rule(SupportRequest, "answer")
def request_answer(user: Any, obj: Any) -> bool:
    """Take charge of the request or decline it: an expert it is offered to."""
    return OfferStatus.OFFERED in offer_statuses_for(user, obj)


@rule(SupportRequest, "message")
def request_message(user: Any, obj: Any) -> bool:
    """Write news: the requester's side, the expert in charge and the secretariat."""
    return (
        is_secretariat(user)
        or is_requester_side(user, obj)
        or OfferStatus.TAKEN in offer_statuses_for(user, obj)
    )


@rule(SupportRequest, "close")
def request_close(user: Any, obj: Any) -> bool:
    """Close with the outcome and the satisfaction: the requester's side only."""
    return is_authenticated(user) and is_requester_side(user, obj)


@rule(SupportRequest, "cancel")
def request_cancel(user: Any, obj: Any) -> bool:
    """Close without follow-up (sans suite): the requester's side or the secretariat."""
    return is_secretariat(user) or (is_authenticated(user) and is_requester_side(user, obj))


@rule(SupportRequest, "route", "remind", "manage")
def request_manage(user: Any, obj: Any) -> bool:
    """Route again by hand, remind, see the follow-up page, the full list and its exports."""
    return is_secretariat(user)
