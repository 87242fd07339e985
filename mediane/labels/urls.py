from django.urls import URLPattern, URLResolver, path

from mediane.labels import views

app_name = "labels"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("evaluations/", views.evaluations, name="evaluations"),
    path("evaluations/demander/", views.request_evaluation, name="request"),
    path("evaluations/<int:pk>/", views.evaluation, name="evaluation"),
    path("evaluations/<int:pk>/confirmer/", views.confirm, name="confirm"),
    path("evaluations/<int:pk>/refuser/", views.refuse, name="refuse"),
    path("verifier/<uuid:reference>/", views.verify, name="verify"),
    path("certificat/<uuid:reference>.pdf", views.certificate, name="certificate"),
    path("ville/<slug:slug>/", views.city, name="city"),
    path("badge/<slug:slug>.svg", views.badge, name="badge"),
]
