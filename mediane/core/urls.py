from django.urls import path

from mediane.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("carte/", views.map_page, name="map"),
    path("carte/points.geojson", views.map_points, name="map_points"),
]
