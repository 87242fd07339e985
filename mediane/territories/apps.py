from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "mediane.territories"
    label = "territories"
