"""Template context shared by every page."""

from django.conf import settings


def site(request):  # type: ignore[no-untyped-def]
    return {"SITE_NAME": "Médiane", "MAP_TILES_URL": settings.MAP_TILES_URL}
