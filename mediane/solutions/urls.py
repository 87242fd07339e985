from django.urls import URLPattern, URLResolver

app_name = "solutions"

urlpatterns: list[URLPattern | URLResolver] = []
