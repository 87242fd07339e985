"""Template helpers of cooperation: dates in the reader's zone, amounts, status badges."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from decimal import Decimal
from typing import Any

from django import template
from django.conf import settings
from django.utils import formats, timezone

register = template.Library()

STATUS_BADGES = {
    "draft": "badge-warning",
    "setup": "badge-network",
    "active": "badge-success",
    "suspended": "badge-warning",
    "completed": "badge-success",
    "abandoned": "badge-danger",
    "proposed": "badge-network",
    "accepted": "badge-success",
    "declined": "badge-danger",
}


@register.filter
def coop_status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "")


@register.filter
def in_user_zone(value: datetime | None, user: Any) -> str:
    """A datetime in the reader's zone (their account's, else the site's)."""
    if value is None:
        return ""
    name = getattr(user, "time_zone", "") or settings.TIME_ZONE
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return formats.date_format(timezone.localtime(value, zone), "SHORT_DATETIME_FORMAT")


@register.filter
def coop_money(value: Decimal | None, currency: str = "") -> str:
    """1 234 567,50 EUR (French grouping)."""
    if value is None:
        return ""
    text = formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{text} {currency}".strip()


@register.filter
def coop_rate(value: Decimal | None) -> str:
    """A rate without its trailing zeros, French decimal comma: 0,68."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


@register.filter
def coop_shares_any(values: Any, others: Any) -> bool:
    """True when the two collections have an element in common (a need's organisations and
    the reader's)."""
    return bool(set(values or ()) & set(others or ()))
