"""Template helpers of the directory pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

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


@register.simple_tag
def directory_sidebar(page: Any) -> str:
    """The facet sidebar of a directory page, rendered once per selection and index version.

    The sidebar depends on the reader's visibility, the query, the filters and the language
    (all in `page.sidebar_key`), not on the page number: it is kept in `page.fragments` (held by
    the facet index, so any write to the directory drops it), and a hit skips the facet counts.
    """
    cache, key = page.fragments, ("sidebar", *page.sidebar_key)
    html = cache.get(key) if cache is not None else None
    if html is None:
        html = render_to_string("directory/_facets.html", {"page": page})
        if cache is not None:
            cache[key] = html
    return mark_safe(html)  # noqa: S308  (rendered by an autoescaping template)


@register.simple_tag
def directory_cards(page: Any) -> str:
    """The result cards of a directory page; each card is rendered once per organisation,
    language and index version (kept in `page.fragments`), and only the organisations whose
    card is missing are read from the database."""
    cache, language = page.fragments, get_language() or ""
    cards = {pk: cache.get(("card", pk, language)) for pk in page.result_ids} if cache else {}
    missing = [pk for pk in page.result_ids if cards.get(pk) is None]
    for organisation in page.fetch(missing) if missing else []:
        html = render_to_string("directory/_card.html", {"organisation": organisation})
        cards[organisation.pk] = html
        if cache is not None:
            cache[("card", organisation.pk, language)] = html
    return mark_safe("".join(cards[pk] for pk in page.result_ids if cards.get(pk)))  # noqa: S308
