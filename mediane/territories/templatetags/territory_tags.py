"""Template helpers of the territory pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context: template.Context, param: str, number: int) -> str:
    """The current query string with `param` set to `number` (several paginators on one page)."""
    query = context["request"].GET.copy()
    query[param] = str(number)
    return "?" + query.urlencode()
