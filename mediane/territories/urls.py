from django.urls import path

from mediane.territories import views

app_name = "territories"
urlpatterns = [
    path("", views.territory_list, name="list"),
    path("<slug:slug>/", views.territory_detail, name="detail"),
    path("<slug:slug>/modifier/", views.territory_edit, name="edit"),
    path("<slug:slug>/adhesion/", views.membership_edit, name="membership"),
    path("<slug:slug>/jumelages/ajouter/", views.twinning_add, name="twinning_add"),
    path(
        "<slug:slug>/jumelages/<int:pk>/supprimer/", views.twinning_remove, name="twinning_delete"
    ),
]
