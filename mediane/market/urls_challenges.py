"""Market pages: Challenges, questions, answers and the guided form."""

from django.urls import URLPattern, URLResolver, path

from mediane.market import views_exports

urlpatterns: list[URLPattern | URLResolver] = [
    # Exports of the list and the Atom feed (views_exports); paths with a dot never match a slug.
    path("defis/export.csv", views_exports.export_csv, name="export_csv"),
    path("defis/export.xlsx", views_exports.export_xlsx, name="export_xlsx"),
    path("defis/export.json", views_exports.export_json, name="export_json"),
    path("defis/flux.atom", views_exports.feed, name="feed"),
]
