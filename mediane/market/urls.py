"""Pages of the innovation market."""

from django.urls import URLPattern, URLResolver

app_name = "market"
urlpatterns: list[URLPattern | URLResolver] = []
