"""Root URL configuration: one include per domain app."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.static import serve as static_serve

from mediane.api.api import api_v1

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api_v1.urls),
    path("admin/", admin.site.urls),
    path("", include("mediane.core.urls")),
    path("comptes/", include("mediane.accounts.urls")),
    path("territoires/", include("mediane.territories.urls")),
    path("annuaire/", include("mediane.directory.urls")),
    path("recherche/", include("mediane.search.urls")),
    path("notifications/", include("mediane.notifications.urls")),
    path("sommet/", include("mediane.summit.urls")),
    path("", include("mediane.market.urls")),
]

if not settings.S3_BUCKET:
    # Local media (logos): served by Django here, by the reverse proxy in production.
    urlpatterns.append(
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            static_serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )
