from django.urls import URLPattern, URLResolver

app_name = "cooperation"

urlpatterns: list[URLPattern | URLResolver] = []
