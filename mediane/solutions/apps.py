"""Solutions reproductibles : fiches solutions déployées par une ville et leurs reproductions dans
d'autres villes.
"""

from django.apps import AppConfig


class SolutionsConfig(AppConfig):
    name = "mediane.solutions"
    verbose_name = "Solutions"
    label = "solutions"

    def ready(self) -> None:
        from mediane.search.services import register_indexer
        from mediane.solutions import rules  # noqa: F401  (registers the permission rules)
        from mediane.solutions.services import SEARCH_KIND, iter_solution_documents

        register_indexer(SEARCH_KIND, iter_solution_documents)
