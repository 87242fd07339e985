"""Summit URLs (French paths, under /sommet/)."""

from django.urls import path

from mediane.summit import views
from mediane.summit import views_organisers as org

app_name = "summit"

urlpatterns = [
    path("", views.edition_list, name="list"),
    path("<slug:slug>/", views.edition_detail, name="edition"),
    path("<slug:slug>/inscription/", views.register, name="register"),
    path("<slug:slug>/mon-inscription/", views.my_registration, name="my_registration"),
    path("<slug:slug>/mon-inscription/annuler/", views.cancel_registration, name="cancel"),
    path("<slug:slug>/disponibilites/", views.availability, name="availability"),
    path("<slug:slug>/badge.pdf", views.badge_pdf, name="badge"),
    path("<slug:slug>/participants/", views.participants, name="participants"),
    path("<slug:slug>/participants/<int:pk>/souhait/", views.wish, name="wish"),
    path("<slug:slug>/participants/<int:pk>/demande/", views.request_new, name="request_new"),
    path("<slug:slug>/demandes/", views.requests_page, name="requests"),
    path("<slug:slug>/demandes/<int:pk>/repondre/", views.request_answer, name="request_answer"),
    path("<slug:slug>/demandes/<int:pk>/annuler/", views.request_cancel, name="request_cancel"),
    path("<slug:slug>/agenda/", views.agenda, name="agenda"),
    path("<slug:slug>/agenda.pdf", views.agenda_pdf, name="agenda_pdf"),
    path("<slug:slug>/agenda/<str:token>.ics", views.agenda_ics, name="agenda_ics"),
    path("<slug:slug>/rendez-vous/<int:pk>/suite/", views.outcome, name="outcome"),
    path("<slug:slug>/retombees/", org.roi, name="roi"),
    # Organisers.
    path("<slug:slug>/organisation/", org.dashboard, name="dashboard"),
    path("<slug:slug>/organisation/inscriptions/", org.registrations, name="registrations"),
    path(
        "<slug:slug>/organisation/inscriptions/<int:pk>/decision/",
        org.registration_decide,
        name="registration_decide",
    ),
    path("<slug:slug>/organisation/accueil/", org.checkin, name="checkin"),
    path("<slug:slug>/organisation/accueil/<str:token>/", org.checkin_badge, name="checkin_badge"),
    path("<slug:slug>/organisation/badges.pdf", org.badges_all, name="badges"),
    path("<slug:slug>/organisation/planning/", org.planning, name="planning"),
    path(
        "<slug:slug>/organisation/planning/<int:pk>/avancement/",
        org.run_progress,
        name="run_progress",
    ),
    path(
        "<slug:slug>/organisation/planning/<int:pk>/publier/", org.run_publish, name="run_publish"
    ),
    path(
        "<slug:slug>/organisation/rendez-vous/<int:pk>/deplacer/",
        org.meeting_move,
        name="meeting_move",
    ),
]
