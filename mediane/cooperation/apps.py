"""Coopération : projets mutualisés : projets mutualisés entre villes, leurs partenaires, budgets,
jalons et espace de travail, et les besoins similaires entre villes.
"""

from django.apps import AppConfig


class CooperationConfig(AppConfig):
    name = "mediane.cooperation"
    verbose_name = "Coopération"
    label = "cooperation"

    def ready(self) -> None:
        from mediane.cooperation import (
            needs_index,
            rules,  # noqa: F401  (registers the permission rules)
        )
        from mediane.cooperation.services import iter_project_documents
        from mediane.search.services import register_indexer

        register_indexer("project", iter_project_documents)
        needs_index.connect_write_signals()
