"""Accompagnement par des experts : demandes d'accompagnement, leur orientation vers des experts et
leur suivi.
"""

from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "mediane.support"
    verbose_name = "Accompagnement"
    label = "support"

    def ready(self) -> None:
        from mediane.support import rules  # noqa: F401  (registers the permission rules)
