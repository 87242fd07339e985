"""Innovation market: challenges, answers, jury evaluation, offers and matching."""

from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "mediane.market"
    verbose_name = "Marché de l'innovation"
    label = "market"

    def ready(self) -> None:
        from mediane.market import rules  # noqa: F401  (registers the permission rules)
