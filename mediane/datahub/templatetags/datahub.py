"""Template tags of the data hub: the datasets block of an organisation's page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("datahub/_organisation_section.html", takes_context=True)
def organisation_datasets(context: dict[str, Any], organisation: Any) -> dict[str, Any]:
    """The datasets of an organisation the viewer may read, and for its administrators the
    link to its national-portal accounts."""
    from mediane.core.permissions import can
    from mediane.datahub.models import PortalAccount
    from mediane.datahub.selectors import datasets_visible

    request = context.get("request")
    user = getattr(request, "user", None)
    datasets = list(
        datasets_visible(user)
        .filter(organisation=organisation)
        .select_related("current_version")
        .order_by("title")[:30]
    )
    return {
        "datasets": datasets,
        "organisation": organisation,
        "can_manage_portals": user is not None
        and can(user, "change", PortalAccount(organisation=organisation)),
        "can_create": user is not None and can(user, "create_dataset", organisation),
    }
