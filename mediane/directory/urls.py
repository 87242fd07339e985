from django.urls import path

from mediane.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.list, name="list"),
]
