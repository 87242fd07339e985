"""Innovation market: challenges, answers, jury evaluation, offers and matching."""

from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "mediane.market"
    verbose_name = "Marché de l'innovation"
    label = "market"

    def ready(self) -> None:
        from mediane.market import rules  # noqa: F401  (registers the permission rules)
        from mediane.market.services import iter_challenge_documents, iter_offer_documents
        from mediane.search.services import register_indexer

        register_indexer("challenge", iter_challenge_documents)
        register_indexer("offer", iter_offer_documents)
