"""Plans stratégiques : arbre d'axes et d'actions, avancement, budgets, indicateurs, page publique
de redevabilité, import et export.
"""

from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "mediane.plans"
    verbose_name = "Plans stratégiques"
    label = "plans"

    def ready(self) -> None:
        from mediane.plans import rules  # noqa: F401  (registers the permission rules)
