from django.urls import URLPattern, URLResolver, path

from mediane.incubation import views

app_name = "incubation"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.agreement_list, name="agreements"),
    path("accords/nouveau/", views.agreement_create, name="agreement_create"),
    path("accords/<int:pk>/", views.agreement_detail, name="agreement"),
    path("accords/<int:pk>/modifier/", views.agreement_edit, name="agreement_edit"),
    path("accords/<int:pk>/signer/", views.agreement_sign, name="agreement_sign"),
    path("accords/<int:pk>/terminer/", views.agreement_end, name="agreement_end"),
    path("demandes/", views.request_list, name="requests"),
    path("demandes/nouvelle/", views.request_create, name="request_create"),
    path("demandes/<int:pk>/", views.request_detail, name="request"),
    path("demandes/<int:pk>/<slug:action>/", views.request_action, name="request_action"),
    path("accueil/", views.inbox, name="inbox"),
    path("capacite/", views.capacity, name="capacity"),
    path("capacite/<int:pk>/supprimer/", views.capacity_delete, name="capacity_delete"),
    path("sejours.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("sejours.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
]
