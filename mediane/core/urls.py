from django.urls import path

from mediane.core import operations, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("carte/", views.map_page, name="map"),
    path("carte/points.geojson", views.map_points, name="map_points"),
    path("healthz", operations.healthz, name="healthz"),
    path("readyz", operations.readyz, name="readyz"),
    path("metrics", operations.metrics, name="metrics"),
]
