from django.urls import path

from mediane.datahub import views, views_portals

app_name = "datahub"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("nouveau/", views.dataset_create, name="create"),
    path("schemas/", views.schemas, name="schemas"),
    path("schemas/ajouter/", views.schema_add, name="schema_add"),
    path("<slug:slug>/", views.dataset_detail, name="dataset"),
    path("<slug:slug>/modifier/", views.dataset_edit, name="edit"),
    path("<slug:slug>/supprimer/", views.dataset_delete, name="delete"),
    path("<slug:slug>/deposer/", views.upload, name="upload"),
    path("<slug:slug>/acces/", views.set_visibility, name="visibility"),
    path("<slug:slug>/v<int:number>/", views.version_detail, name="version"),
    path("<slug:slug>/v<int:number>/avancement/", views.version_progress, name="progress"),
    path("<slug:slug>/v<int:number>/base-legale/", views.legal_basis, name="legal_basis"),
    path("<slug:slug>/v<int:number>/transformer/", views.transform, name="transform"),
    path("<slug:slug>/v<int:number>/courante/", views.make_current, name="make_current"),
    path("<slug:slug>/v<int:number>/fichier/", views.download_original, name="original"),
    path("<slug:slug>/v<int:number>/points.geojson", views.points, name="points"),
    path("<slug:slug>/v<int:number>/donnees.<str:fmt>", views.download, name="download"),
    path(
        "<slug:slug>/v<int:number>/validation.<str:fmt>",
        views.validation_report,
        name="report",
    ),
    path("organisations/<int:organisation_id>/portails/", views_portals.portals, name="portals"),
    path(
        "organisations/<int:organisation_id>/portails/<int:account_id>/supprimer/",
        views_portals.portal_delete,
        name="portal_delete",
    ),
    path("<slug:slug>/portails/", views_portals.publish, name="publish"),
    path(
        "<slug:slug>/portails/<int:account_id>/publier/",
        views_portals.publish_action,
        name="publish_action",
    ),
    path(
        "<slug:slug>/portails/<int:account_id>/retirer/",
        views_portals.unpublish,
        name="unpublish",
    ),
]
