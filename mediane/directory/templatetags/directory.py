"""Template helpers of the directory pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mediane.directory import facet_index

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
        html = facets_html(page)
        if cache is not None:
            cache[key] = html
    return mark_safe(html)  # noqa: S308  (every value escaped by facets_html)


def facets_html(page: Any) -> str:
    """The facet sidebar's HTML: a checkbox per option, with its label and count.

    Written in Python rather than as a template: the sidebar has up to a hundred options and
    the template engine spent 3–4 ms per sidebar on them, a third of a directory page's time
    under load (docs/benchmarks.md). Every value from data goes through `escape`.
    """
    parts = [
        '<aside class="facets" aria-labelledby="facets-title">'
        f'<h2 class="facets-title" id="facets-title">{escape(_("Filtrer"))}</h2>'
    ]
    for facet in page.facets.values():
        if not facet.options:
            continue
        name = escape(facet.name)
        parts.append(
            f'<fieldset class="facet"><legend>{escape(facet.label)}</legend><ul class="list-plain">'
        )
        for number, option in enumerate(facet.options, start=1):
            checked = " checked" if option.selected else ""
            count = number_format(option.count, force_grouping=True)
            parts.append(
                f'<li class="check"><input type="checkbox" id="f-{name}-{number}" name="{name}"'
                f' value="{escape(option.value)}"{checked}>'
                f'<label for="f-{name}-{number}">{escape(option.label)}'
                f' <span class="count">({count})</span></label></li>'
            )
        parts.append("</ul></fieldset>")
    parts.append(
        '<div class="actions"><button type="submit" class="btn btn-secondary">'
        f"{escape(_('Appliquer les filtres'))}</button>"
    )
    if not page.filters.is_empty or page.query:
        parts.append(
            f'<a class="btn btn-ghost" href="{reverse("directory:list")}">'
            f"{escape(_('Tout effacer'))}</a>"
        )
    parts.append("</div></aside>")
    return "".join(parts)


@register.simple_tag
def directory_cards(page: Any) -> str:
    """The result cards of a directory page; each card is rendered once per organisation,
    language and index version (kept in `page.fragments`), and only the organisations whose
    card is missing are read from the database."""
    # A card shows labels in the reader's language and sector names: both are in its key.
    cache, variant = page.fragments, (get_language() or "", facet_index.sector_writes())
    cards = {pk: cache.get(("card", pk, variant)) for pk in page.result_ids} if cache else {}
    missing = [pk for pk in page.result_ids if cards.get(pk) is None]
    for organisation in page.fetch(missing) if missing else []:
        html = card_html(organisation)
        cards[organisation.pk] = html
        if cache is not None:
            cache[("card", organisation.pk, variant)] = html
    return mark_safe("".join(cards[pk] for pk in page.result_ids if cards.get(pk)))  # noqa: S308


def card_html(organisation: Any) -> str:
    """One result card: name and link, kind, visibility and demo badges, place, summary,
    sectors. Written in Python for the reason of `facets_html` (0.3 ms per card as a template,
    twenty cards per page); every value from data goes through `escape`."""
    o = organisation
    parts = ['<li class="card">']
    if o.logo:
        logo = escape(o.logo.url)
        parts.append(f'<img src="{logo}" alt="" width="64" height="64" loading="lazy">')
    parts.append(
        f'<h3 class="card-title"><a class="card-link" href="{escape(o.get_absolute_url())}">'
        f"{escape(o.name)}</a></h3>"
        f'<p class="badges"><span class="badge badge-kind">{escape(o.kind_label)}</span>'
    )
    if o.visibility != "public":
        parts.append(f'<span class="badge badge-visibility">{escape(o.visibility_label)}</span>')
    if o.is_demo:
        parts.append(f'<span class="badge badge-demo">{escape(_("démo"))}</span>')
    parts.append("</p>")
    place = f"{o.territory.name} · {o.country_label}" if o.territory else o.country_label
    parts.append(f'<p class="card-meta">{escape(place)}</p>')
    if o.summary:
        parts.append(f"<p>{escape(o.summary)}</p>")
    sectors = o.sectors.all()
    if sectors:
        badges = "".join(f'<span class="badge badge-sector">{escape(x)}</span>' for x in sectors)
        parts.append(f'<p class="badges">{badges}</p>')
    parts.append("</li>")
    return "".join(parts)
