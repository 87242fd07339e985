from django.urls import URLPattern, URLResolver, path

from mediane.solutions import views

app_name = "solutions"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.solution_list, name="list"),
    path("nouvelle/", views.solution_create, name="create"),
    path("export.<str:fmt>", views.export, name="export"),
    path("reproductions/", views.network, name="network"),
    path("reproductions/carte.geojson", views.network_geojson, name="network_geojson"),
    path("reproductions/<int:pk>/bilan/", views.replication_outcome, name="outcome"),
    path("<slug:slug>/", views.solution_detail, name="detail"),
    path("<slug:slug>/modifier/", views.solution_edit, name="edit"),
    path("<slug:slug>/supprimer/", views.solution_delete, name="delete"),
    path("<slug:slug>/reproduire/", views.solution_replicate, name="replicate"),
]
