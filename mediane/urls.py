"""Root URL configuration: one include per domain app."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.static import serve as static_serve

from mediane.accounts import two_factor_views
from mediane.accounts import views as account_views
from mediane.api.api import api_v1
from mediane.datahub import views as datahub_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api_v1.urls),
    # The admin's own login would skip the second factor: it goes through the site's login.
    path("admin/login/", two_factor_views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("", include("mediane.core.urls")),
    path("comptes/", include("mediane.accounts.urls")),
    path("confidentialite/", account_views.privacy, name="privacy"),
    path("territoires/", include("mediane.territories.urls")),
    path("annuaire/", include("mediane.directory.urls")),
    path("recherche/", include("mediane.search.urls")),
    path("notifications/", include("mediane.notifications.urls")),
    path("sommet/", include("mediane.summit.urls")),
    path("donnees/", include("mediane.datahub.urls")),
    path("cooperation/", include("mediane.cooperation.urls")),
    path("solutions/", include("mediane.solutions.urls")),
    path("incubateurs/", include("mediane.incubation.urls")),
    path("tiers-lieux/", include("mediane.tierslieux.urls")),
    path("accompagnement/", include("mediane.support.urls")),
    path("diagnostic/", include("mediane.diagnostic.urls")),
    path("plans/", include("mediane.plans.urls")),
    path("label/", include("mediane.labels.urls")),
    path("catalogue.<str:fmt>", datahub_views.catalogue_dcat, name="datahub_catalogue_dcat"),
    path(
        "catalogue.ttl", datahub_views.catalogue_dcat, {"fmt": "ttl"}, name="datahub_catalogue_ttl"
    ),
    path(
        "donnees/<slug:slug>/dcat.<str:fmt>",
        datahub_views.dataset_dcat,
        name="datahub_dataset_dcat",
    ),
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
