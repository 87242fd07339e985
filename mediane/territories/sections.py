"""Extension point of the territory page: later apps add their sections here.

An app registers, in its `AppConfig.ready()`::

    register_section(TerritorySection(key="challenges", template="market/_territory.html",
                                      order=40, context=challenges_for_territory))

`context(request, territory)` returns the template's extra context (or None to hide the
section). Sections render in `order`, inside `{% block territory_sections %}` of
`territories/detail.html`, after the built-in ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from mediane.territories.models import Territory

SectionContext = Callable[[HttpRequest, Territory], dict[str, Any] | None]


@dataclass(frozen=True)
class TerritorySection:
    key: str
    template: str
    order: int = 100
    context: SectionContext | None = None


_SECTIONS: dict[str, TerritorySection] = {}


def register_section(section: TerritorySection) -> None:
    """Add or replace (same key) a section of the territory page."""
    _SECTIONS[section.key] = section


def unregister_section(key: str) -> None:
    _SECTIONS.pop(key, None)


def sections_for(request: HttpRequest, territory: Territory) -> list[dict[str, Any]]:
    """The sections to render, each as {"key", "template", "context"}."""
    out = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        context = section.context(request, territory) if section.context else {}
        if context is not None:
            out.append({"key": section.key, "template": section.template, "context": context})
    return out
