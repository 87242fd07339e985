"""Template tags of the diagnostic: questionnaire texts shipped in both languages."""

from __future__ import annotations

from typing import Any

from django import template

from mediane.diagnostic.models import in_language

register = template.Library()


@register.simple_tag
def localised(item: Any) -> str:
    """The text of a `{"fr": …, "en": …}` item (a level anchor, a choice) in the active language."""
    if not isinstance(item, dict):
        return str(item or "")
    return in_language(str(item.get("fr", "")), str(item.get("en", "")))
