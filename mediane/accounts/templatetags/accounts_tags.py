"""Small template helpers of the account pages."""

from __future__ import annotations

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes of a duration, rounded up (for the login lockout message)."""
    if not value:
        return 0
    return max(1, -(-int(value.total_seconds()) // 60))
