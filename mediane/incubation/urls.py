from django.urls import URLPattern, URLResolver

app_name = "incubation"

urlpatterns: list[URLPattern | URLResolver] = []
