"""Market pages: Jury, criteria, conflicts of interest, scores, ranking, decision and pilot report."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
