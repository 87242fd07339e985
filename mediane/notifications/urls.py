"""Notification centre and follow settings."""

from django.urls import URLPattern, URLResolver, path

from mediane.notifications import views

app_name = "notifications"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.centre, name="centre"),
    path("<int:pk>/lue/", views.mark_read, name="mark_read"),
    path("tout-lu/", views.mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("abonnements/", views.follows, name="follows"),
    path("abonnements/<int:pk>/supprimer/", views.unfollow, name="unfollow"),
    path("suivre/<str:kind>/<int:pk>/", views.follow_toggle, name="follow_toggle"),
]
