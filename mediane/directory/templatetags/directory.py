"""Template helpers of the directory pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def url_or_empty(name: str, *args: Any) -> str:
    """reverse(name, args) or "" when that page does not exist (optional pages of other apps)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.simple_tag
def absolute_url_or_empty(obj: Any) -> str:
    """obj.get_absolute_url() or "" when its page is not installed."""
    try:
        return obj.get_absolute_url()
    except (NoReverseMatch, AttributeError):
        return ""


@register.simple_tag
def page_query(filters: Any, query: str = "", page: int | None = None) -> str:
    """The query string of the current selection (filters + text), optionally for `page`."""
    pairs = ([("q", query)] if query else []) + list(filters.as_params())
    if page and page > 1:
        pairs.append(("page", str(page)))
    return "?" + urlencode(pairs) if pairs else "?"


@register.filter
def rich_text(value: str) -> str:
    """Sanitised HTML (again, at display time: defence in depth), marked safe."""
    from django.utils.safestring import mark_safe

    from mediane.directory.sanitize import sanitize_html

    return mark_safe(sanitize_html(value))  # noqa: S308  (nh3 output: allow-listed tags only)
