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

        from mediane.market.offer_index import connect_write_signals

        connect_write_signals()  # the recommendations' offer index follows offer writes

        from datetime import timedelta

        from mediane.core.periodic import register_periodic
        from mediane.market.tasks import close_due_challenges, refresh_matching_profiles

        register_periodic("market.close_due", every=timedelta(minutes=1), task=close_due_challenges)
        register_periodic(
            "market.matching_profiles", every=timedelta(minutes=15), task=refresh_matching_profiles
        )

        from mediane.market.views_challenges import register_sections

        register_sections()  # the challenges block of the territory page
