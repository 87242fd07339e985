"""Template helpers of solutions: amounts, indicator values, dates in the viewer's zone, and
`{% solution_source challenge %}` / `{% solution_source project %}`, the link from a replicated
challenge or project back to its solution."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format, number_format

from mediane.core.permissions import can

register = template.Library()


@register.filter
def money(value: int | None, currency: str) -> str:
    if value is None:
        return ""
    symbol = {"EUR": "€", "CAD": "$ CA"}.get(currency, currency)
    return f"{number_format(value, force_grouping=True)}\u00a0{symbol}"


@register.filter
def measure(value: Decimal | None) -> str:
    """An indicator value: grouped, without useless decimals ('1 250', '12,5')."""
    if value is None:
        return "—"
    places = 0 if value == value.to_integral_value() else 2
    text = number_format(value, decimal_pos=places, force_grouping=True)
    if places and text.endswith("0"):
        text = text[:-1]
    return text


@register.simple_tag(takes_context=True)
def local_date(context: dict[str, Any], value: datetime | None) -> str:
    """A date-time as a date in the viewer's zone (their account's, else the site's)."""
    if value is None:
        return ""
    request = context.get("request")
    zone = getattr(getattr(request, "user", None), "time_zone", "") or ""
    try:
        tz = zoneinfo.ZoneInfo(zone) if zone else timezone.get_current_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = timezone.get_current_timezone()
    return date_format(value.astimezone(tz), "j F Y")


@register.inclusion_tag("solutions/_source.html", takes_context=True)
def solution_source(context: dict[str, Any], target: Any) -> dict[str, Any]:
    """Which solution a challenge or a cooperation project was replicated from, if the viewer
    may read it. Include it on the target's page: `{% load solutions %}{% solution_source
    challenge %}` on a challenge's, `{% solution_source project %}` on a project's."""
    from mediane.cooperation.models import Project
    from mediane.market.models import Challenge
    from mediane.solutions.models import Replication

    request = context.get("request")
    user = getattr(request, "user", None)
    if isinstance(target, Challenge):
        field = "challenge"
    elif isinstance(target, Project):
        field = "project"
    else:
        return {"replication": None}
    replication = (
        Replication.objects.filter(**{field: target})
        .select_related("solution__organisation")
        .first()
        if getattr(target, "pk", None)
        else None
    )
    if replication is None or not can(user, "view", replication.solution):
        return {"replication": None}
    return {"replication": replication, "sheet": replication.solution}
