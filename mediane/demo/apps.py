from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "mediane.demo"
    label = "demo"
