from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "mediane.search"
    label = "search"
