"""Pages of the innovation market: one URL module per part, gathered here."""

from django.urls import URLPattern, URLResolver

from mediane.market import (
    urls_challenges,
    urls_evaluation,
    urls_offers,
    urls_recommendations,
)

app_name = "market"
urlpatterns: list[URLPattern | URLResolver] = [
    *urls_challenges.urlpatterns,
    *urls_evaluation.urlpatterns,
    *urls_offers.urlpatterns,
    *urls_recommendations.urlpatterns,
]
