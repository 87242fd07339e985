"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _


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
