from django.urls import path

from mediane.territories import views

app_name = "territories"
urlpatterns = [
    path("", views.list, name="list"),
]
