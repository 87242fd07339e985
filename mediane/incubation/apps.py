"""Jumelages d'incubateurs : jumelages d'incubateurs et de tiers-lieux, et séjours d'atterrissage
en douceur (soft landing).
"""

from django.apps import AppConfig


class IncubationConfig(AppConfig):
    name = "mediane.incubation"
    verbose_name = "Jumelages"
    label = "incubation"

    def ready(self) -> None:
        from mediane.incubation import (
            rules,  # noqa: F401  (registers the permission rules)
            search,
        )

        search.register()
