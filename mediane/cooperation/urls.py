from django.urls import URLPattern, URLResolver, path

from mediane.cooperation import views, views_exports

app_name = "cooperation"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.hub, name="hub"),
    path("projets/", views.project_list, name="project_list"),
    path("projets/export.csv", views_exports.export_csv, name="export_csv"),
    path("projets/export.xlsx", views_exports.export_xlsx, name="export_xlsx"),
    path("projets/nouveau/", views.project_create, name="project_create"),
    path("projets/<slug:slug>/", views.project_detail, name="project"),
    path("projets/<slug:slug>/modifier/", views.project_edit, name="project_edit"),
    path("projets/<slug:slug>/etat/", views.project_status, name="project_status"),
    path("projets/<slug:slug>/partenaires/", views.partner_add, name="partner_add"),
    path(
        "projets/<slug:slug>/partenaires/<int:organisation_id>/retirer/",
        views.partner_remove,
        name="partner_remove",
    ),
    path("projets/<slug:slug>/espace/", views.workspace, name="workspace"),
    path("projets/<slug:slug>/espace/discussions/", views.thread_create, name="thread_create"),
    path("projets/<slug:slug>/espace/discussions/<int:pk>/", views.thread_detail, name="thread"),
    path("projets/<slug:slug>/espace/taches/", views.task_create, name="task_create"),
    path("projets/<slug:slug>/espace/taches/<int:pk>/", views.task_done, name="task_done"),
    path("projets/<slug:slug>/espace/decisions/", views.decision_create, name="decision_create"),
    path("projets/<slug:slug>/espace/documents/", views.document_upload, name="document_upload"),
    path(
        "projets/<slug:slug>/espace/documents/<int:pk>/",
        views.document_download,
        name="document",
    ),
    path(
        "projets/<slug:slug>/espace/documents/<int:pk>/supprimer/",
        views.document_delete,
        name="document_delete",
    ),
    path("projets/<slug:slug>/espace/budget/", views.budget_total, name="budget_total"),
    path("projets/<slug:slug>/espace/budget/parts/", views.budget_share, name="budget_share"),
    path("projets/<slug:slug>/espace/phases/", views.phase_create, name="phase_create"),
    path(
        "projets/<slug:slug>/espace/phases/<int:phase_id>/supprimer/",
        views.phase_delete,
        name="phase_delete",
    ),
    path(
        "projets/<slug:slug>/espace/phases/<int:phase_id>/jalons/",
        views.milestone_create,
        name="milestone_create",
    ),
    path(
        "projets/<slug:slug>/espace/jalons/<int:pk>/", views.milestone_done, name="milestone_done"
    ),
    path("besoins/", views.needs, name="needs"),
    path("besoins/similaires/", views.similar_fragment, name="similar"),
    path("propositions/", views.proposals, name="proposals"),
    path("propositions/nouvelle/", views.proposal_create, name="proposal_create"),
    path("propositions/<int:pk>/<str:answer>/", views.proposal_answer, name="proposal_answer"),
]
