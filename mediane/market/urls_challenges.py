"""Market pages: Challenges, questions, answers and the guided form."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
