from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "mediane.api"
    label = "api"
