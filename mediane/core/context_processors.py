"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

#: The main menu's entry of each URL namespace (exact names: a namespace absent from here
#: lights no entry). The market is split by page below.
NAV_SECTIONS: dict[str, str] = {
    "directory": "directory",
    "cooperation": "cooperation",
    "solutions": "cooperation",
    "incubation": "cooperation",
    "tierslieux": "cooperation",
    "support": "cooperation",
    "diagnostic": "smart",
    "plans": "smart",
    "labels": "smart",
    "summit": "summit",
    "datahub": "datahub",
    "territories": "territories",
    "search": "search",
}
#: Single pages with their own entry, by view name.
NAV_VIEWS: dict[str, str] = {"core:map": "map"}


def site(request: HttpRequest) -> dict[str, str]:
    """Site name and the map tiles source (empty URL: no tiles, markers on a plain background)."""
    tiles_url = settings.MAP_TILES_URL
    attribution = ""
    if "openstreetmap" in tiles_url:
        attribution = _("© les contributeurs d’OpenStreetMap")
    return {
        "SITE_NAME": "Médiane",
        "MAP_TILES_URL": tiles_url,
        "MAP_TILES_ATTRIBUTION": attribution,
    }


def nav_section(namespace: str, url_name: str) -> str:
    """The main menu's entry for a page (`"challenges"`, `"smart"`...), or `""` for none."""
    if f"{namespace}:{url_name}" in NAV_VIEWS:
        return NAV_VIEWS[f"{namespace}:{url_name}"]
    if namespace == "market":
        return "offers" if url_name.startswith("offer") else "challenges"
    return NAV_SECTIONS.get(namespace, "")


def navigation(request: HttpRequest) -> dict[str, str]:
    """`nav_section`: the main menu's entry of the current page, marked `aria-current`."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {"nav_section": ""}
    return {"nav_section": nav_section(match.namespace or "", match.url_name or "")}
