from django.urls import URLPattern, URLResolver, path

from mediane.diagnostic import views

app_name = "diagnostic"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.diagnostic_list, name="list"),
    path("territoire-intelligent/", views.hub, name="hub"),
    path("ouvrir/", views.diagnostic_start, name="start"),
    path("reseau/", views.network_page, name="network"),
    path("questionnaire/", views.questionnaire_page, name="questionnaire"),
    path("<int:pk>/", views.diagnostic_detail, name="detail"),
    path("<int:pk>/questionnaire/", views.diagnostic_answer, name="answer"),
    path("<int:pk>/reponse/<str:code>/", views.answer_save, name="answer_save"),
    path("<int:pk>/soumettre/", views.diagnostic_submit, name="submit"),
    path("<int:pk>/valider/", views.diagnostic_validate, name="validate"),
    path("<int:pk>/renvoyer/", views.diagnostic_send_back, name="send_back"),
    path("<int:pk>/partage/", views.diagnostic_sharing, name="sharing"),
    path("<int:pk>/action-plan/", views.plan_action_add, name="plan_action"),
    path("<int:pk>/rapport.pdf", views.diagnostic_pdf, name="pdf"),
]
