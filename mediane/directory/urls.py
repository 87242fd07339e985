from django.urls import URLPattern, path

from mediane.directory import views

app_name = "directory"
urlpatterns: list[URLPattern] = [
    path("", views.organisation_list, name="list"),
    path("export.csv", views.organisation_export, name="export"),
    path("nouvelle/", views.organisation_create, name="organisation_create"),
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/<slug:slug>/", views.expert_detail, name="expert"),
    path("<slug:slug>/", views.organisation_detail, name="organisation"),
    path("<slug:slug>/modifier/", views.organisation_edit, name="organisation_edit"),
    path("<slug:slug>/logo/", views.organisation_logo, name="organisation_logo"),
    path("<slug:slug>/supprimer/", views.organisation_delete, name="organisation_delete"),
]
