from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mediane.core"
    label = "core"
