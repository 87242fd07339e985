"""Links to the recommendation pages, shown only to those who may use them."""

from __future__ import annotations

from typing import Any

from django import template

from mediane.core.permissions import can, has_role, is_secretariat

register = template.Library()


def _user(context: Any) -> Any:
    return getattr(context.get("request"), "user", None)


@register.inclusion_tag("market/_recommend_link.html", takes_context=True)
def recommended_challenges_link(context: Any, organisation: Any) -> dict[str, Any]:
    """ "Défis recommandés" on an organisation's page, for its members and the secretariat."""
    user = _user(context)
    show = user is not None and (is_secretariat(user) or has_role(user, organisation.pk, "member"))
    return {"show": show, "organisation": organisation}


@register.inclusion_tag("market/_recommend_invite_link.html", takes_context=True)
def invite_organisations_link(context: Any, challenge: Any) -> dict[str, Any]:
    """ "Organisations à inviter" on a challenge's page, for its issuers' editors and the
    secretariat, while the challenge is submitted or open."""
    user = _user(context)
    show = (
        user is not None
        and challenge.status in ("submitted", "open")
        and can(user, "invite", challenge)
    )
    return {"show": show, "challenge": challenge}
