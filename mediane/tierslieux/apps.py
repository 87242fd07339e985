"""Ressources des tiers-lieux : espaces et équipements des tiers-lieux, règles, réservations et
calendriers.
"""

from django.apps import AppConfig


class TierslieuxConfig(AppConfig):
    name = "mediane.tierslieux"
    verbose_name = "Tiers-lieux"
    label = "tierslieux"

    def ready(self) -> None:
        from mediane.tierslieux import rules  # noqa: F401  (registers the permission rules)
