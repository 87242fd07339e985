from django.urls import URLPattern, URLResolver, path

from mediane.tierslieux import views

app_name = "tierslieux"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.resource_list, name="list"),
    path("mes-reservations/", views.mine, name="mine"),
    path("mes-reservations/calendrier/", views.feed_reset, name="feed_reset"),
    path("reservations/<int:pk>/annuler/", views.cancel, name="cancel"),
    path("calendrier/<str:token>.ics", views.person_ics, name="person_ics"),
    path(
        "organisations/<int:organisation_id>/reservations/",
        views.organisation_bookings,
        name="organisation_bookings",
    ),
    path(
        "organisations/<int:organisation_id>/reservations.<str:fmt>",
        views.organisation_export,
        name="organisation_export",
    ),
    path(
        "organisations/<int:organisation_id>/ressources/nouvelle/",
        views.resource_create,
        name="resource_create",
    ),
    path("<slug:slug>/", views.resource_detail, name="resource"),
    path("<slug:slug>/modifier/", views.resource_edit, name="resource_edit"),
    path("<slug:slug>/horaires/", views.hours, name="hours"),
    path("<slug:slug>/fermetures/<int:pk>/supprimer/", views.closure_remove, name="closure_remove"),
    path("<slug:slug>/semaine/", views.week, name="week"),
    path("<slug:slug>/reserver/", views.book, name="book"),
    path("<slug:slug>/calendrier.ics", views.resource_ics, name="resource_ics"),
    path("<slug:slug>/formations/", views.trainings, name="trainings"),
    path("<slug:slug>/formations/<int:pk>/retirer/", views.training_revoke, name="training_revoke"),
]
