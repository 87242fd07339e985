"""Solutions reproductibles : fiches solutions déployées par une ville et leurs reproductions dans
d'autres villes.
"""

from django.apps import AppConfig


class SolutionsConfig(AppConfig):
    name = "mediane.solutions"
    verbose_name = "Solutions"
    label = "solutions"

    def ready(self) -> None:
        from mediane.solutions import rules  # noqa: F401  (registers the permission rules)
