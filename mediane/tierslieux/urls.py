from django.urls import URLPattern, URLResolver

app_name = "tierslieux"

urlpatterns: list[URLPattern | URLResolver] = []
