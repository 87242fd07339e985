"""Template helpers of support: date-times in the reader's zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html

register = template.Library()


def _zone(user: Any) -> ZoneInfo:
    name = getattr(user, "time_zone", "") or timezone.get_default_timezone_name()
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo(timezone.get_default_timezone_name())


@register.simple_tag(takes_context=True)
def user_time(context: dict[str, Any], value: datetime | None, with_time: bool = True) -> str:
    """`<time>` showing `value` in the reader's zone (their account's, else the site's)."""
    if value is None:
        return ""
    request = context.get("request")
    local = timezone.localtime(value, _zone(getattr(request, "user", None)))
    text = formats.date_format(local, "DATETIME_FORMAT" if with_time else "DATE_FORMAT")
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), text)


STATUS_BADGES = {
    "new": "badge-warning",
    "routed": "badge-kind",
    "taken": "badge-success",
    "closed": "badge-visibility",
    "cancelled": "badge-danger",
    "offered": "badge-warning",
    "declined": "badge-danger",
    "withdrawn": "badge-visibility",
}


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "badge-kind")
