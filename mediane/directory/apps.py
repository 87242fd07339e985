from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "mediane.directory"
    label = "directory"
