"""Label « ville numérique engagée » : critères, évaluation automatique avec preuves, confirmation,
certificat, badge et liste publique.
"""

from django.apps import AppConfig


class LabelsConfig(AppConfig):
    name = "mediane.labels"
    verbose_name = "Label"
    label = "labels"

    def ready(self) -> None:
        from mediane.labels import rules  # noqa: F401  (registers the permission rules)
