"""Template helpers of the challenge pages: dates in the issuer's and the viewer's zones."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


def zone_label(zone: str) -> str:
    names = {
        "Europe/Paris": _("heure de Paris"),
        "America/Toronto": _("heure du Québec"),
        "America/Montreal": _("heure du Québec"),
    }
    return names.get(zone, zone)


def local_text(value: datetime, zone: str) -> str:
    """'12 mars 2027 à 17 h (heure de Paris)' in the active language."""
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    local = value.astimezone(tz)
    if local.minute:
        time = _("%(hour)s h %(minute)s") % {"hour": local.hour, "minute": f"{local.minute:02d}"}
    else:
        time = _("%(hour)s h") % {"hour": local.hour}
    day = date_format(local, "j F Y")
    return _("%(date)s à %(time)s (%(zone)s)") % {
        "date": day,
        "time": time,
        "zone": zone_label(zone),
    }


def viewer_zone(user: Any) -> str:
    return (
        str(getattr(user, "time_zone", "") or "")
        if getattr(user, "is_authenticated", False)
        else ""
    )


@register.simple_tag(takes_context=True)
def when(context: dict[str, Any], value: datetime | None, zone: str) -> SafeString | str:
    """A date in the issuer's zone, and in the viewer's when it differs (a second line)."""
    if value is None:
        return ""
    text = local_text(value, zone)
    request = context.get("request")
    mine = viewer_zone(getattr(request, "user", None))
    if mine and mine != zone:
        return format_html(
            '<time datetime="{}">{}</time> <span class="muted small">— {}</span>',
            value.isoformat(),
            text,
            _("soit %(when)s") % {"when": local_text(value, mine)},
        )
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), text)


@register.filter
def in_zone(value: datetime | None, zone: str) -> str:
    return local_text(value, zone) if value is not None else ""


@register.inclusion_tag("market/_organisation_section.html", takes_context=True)
def organisation_challenges(context: dict[str, Any], organisation: Any) -> dict[str, Any]:
    """The challenges an organisation issued or co-issued (organisation page block)."""
    from mediane.market.selectors import challenges_for_organisation

    request = context.get("request")
    user = getattr(request, "user", None)
    challenges = list(challenges_for_organisation(user, organisation.pk)[:20])
    return {"challenges": challenges, "organisation": organisation, "request": request}


def _money(value: int, currency: str) -> str:
    from django.utils.formats import number_format

    symbol = {"EUR": "€", "CAD": "$ CA"}.get(currency, currency)
    return f"{number_format(value, force_grouping=True)}\u00a0{symbol}"


@register.simple_tag
def amount_range(low: int | None, high: int | None, currency: str) -> str:
    """'10 000 € à 40 000 €', 'jusqu'à 40 000 €', 'à partir de 10 000 €', or ''."""
    if low is not None and high is not None:
        if low == high:
            return _money(low, currency)
        return _("%(low)s à %(high)s") % {
            "low": _money(low, currency),
            "high": _money(high, currency),
        }
    if high is not None:
        return _("jusqu’à %(high)s") % {"high": _money(high, currency)}
    if low is not None:
        return _("à partir de %(low)s") % {"low": _money(low, currency)}
    return ""


@register.filter
def status_badge(status: str) -> str:
    """CSS class of a challenge's state badge."""
    return {
        "open": "badge-success",
        "draft": "badge-visibility",
        "submitted": "badge-warning",
        "awarded": "badge-success",
        "not_awarded": "badge-danger",
    }.get(status, "badge-kind")


@register.simple_tag
def eligibility(challenge: Any) -> str:
    """Who may answer, in words: countries and kinds of organisation."""
    from mediane.directory.models import OrganisationKind
    from mediane.territories.models import Country

    countries = dict(Country.choices)
    kinds = dict(OrganisationKind.choices)
    parts = []
    if challenge.eligible_kinds:
        parts.append(", ".join(str(kinds.get(k, k)) for k in challenge.eligible_kinds))
    if challenge.eligible_countries:
        names = ", ".join(str(countries.get(c, c)) for c in challenge.eligible_countries)
        parts.append(_("pays : %(countries)s") % {"countries": names})
    return " · ".join(parts)
