"""Template tags: the header's notification link and the follow button's state."""

from __future__ import annotations

from typing import Any

from django import template

from mediane.directory.models import Organisation, Sector
from mediane.notifications import selectors
from mediane.territories.models import Territory

register = template.Library()

FOLLOW_KINDS: dict[type, str] = {
    Sector: "sector",
    Territory: "territory",
    Organisation: "organisation",
}


@register.inclusion_tag("notifications/_header_link.html", takes_context=True)
def notifications_link(context: template.Context) -> dict[str, Any]:
    """The header link to the notification centre with the unread count (cached briefly)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"unread": selectors.unread_count(user=user, cached=True), "request": request}


@register.simple_tag(takes_context=True)
def follow_state(context: template.Context, obj: Any) -> dict[str, Any]:
    """{kind, following} for the follow button of a sector, territory or organisation."""
    kind = FOLLOW_KINDS.get(obj.__class__)
    request = context.get("request")
    user = getattr(request, "user", None)
    if kind is None:
        return {"kind": None, "following": False}
    found = selectors.follow_find(user=user, **{kind: obj})
    return {"kind": kind, "following": found is not None}


@register.inclusion_tag("notifications/_preference_section.html", takes_context=True)
def notification_preference_form(context: template.Context) -> dict[str, Any]:
    """The e-mail preference form, as a section of the account settings page."""
    from mediane.notifications.views import preference_form_for

    request = context.get("request")
    return {"form": preference_form_for(request.user) if request else None, "request": request}
