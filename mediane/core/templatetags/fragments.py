"""`{% fragment %}`: template parts rendered once per process.

The menu, the footer and the static links of `base.html` are the same on every page for a
language (and, for the menu, the current section), but the template engine rendered them on
every request: about twenty `{% url %}`, ten `{% static %}` and thirty translations, a
millisecond of the directory page's few (docs/benchmarks.md). Wrapped in

    {% fragment "menu" nav_section %}…{% endfragment %}

such a part is rendered once per language and value of the variables given, and kept in the
process. Only what depends on nothing else may go inside: never the user, the request (its
path, its CSRF token) or data from the database. With `DEBUG` on nothing is kept, so that an
edited template shows at once.
"""

from __future__ import annotations

import threading
from typing import Any

from django import template
from django.conf import settings
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# Keys are few (fragments × languages × menu sections); the bound only guards against a
# variable given by mistake that takes many values.
MAX_FRAGMENTS = 1000
_lock = threading.Lock()
_kept: dict[tuple[Any, ...], SafeString] = {}


class FragmentNode(template.Node):
    def __init__(self, name: str, variables: list[FilterExpression], nodelist: NodeList) -> None:
        self.name, self.variables, self.nodelist = name, variables, nodelist

    def render(self, context: template.Context) -> str:
        if settings.DEBUG:
            return self.nodelist.render(context)
        values = tuple(str(v.resolve(context, ignore_failures=True)) for v in self.variables)
        key = (self.origin_key(), self.name, get_language(), *values)
        html = _kept.get(key)
        if html is None:
            html = mark_safe(self.nodelist.render(context))  # noqa: S308 (rendered with escaping)
            with _lock:
                if len(_kept) >= MAX_FRAGMENTS:
                    _kept.clear()
                _kept[key] = html
        return html

    def origin_key(self) -> str:
        origin = getattr(self, "origin", None)
        return getattr(origin, "name", "") or ""


@register.tag("fragment")
def do_fragment(parser: Parser, token: Token) -> FragmentNode:
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][:1] not in "\"'" or bits[1][-1:] != bits[1][:1]:
        raise template.TemplateSyntaxError(
            "{% fragment %} takes a quoted name, then the variables the part depends on"
        )
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(bits[1][1:-1], [parser.compile_filter(b) for b in bits[2:]], nodelist)


def forget_fragments() -> None:
    """Drop every kept fragment (tests that change the settings a fragment shows)."""
    with _lock:
        _kept.clear()
