"""Market pages: recommendations (organisations to invite, challenges for an organisation)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
