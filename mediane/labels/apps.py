"""Label « ville numérique engagée » : critères, évaluation automatique avec preuves, confirmation,
certificat, badge et liste publique.
"""

from datetime import timedelta

from django.apps import AppConfig


class LabelsConfig(AppConfig):
    name = "mediane.labels"
    verbose_name = "Label"
    label = "labels"

    def ready(self) -> None:
        from mediane.core.periodic import register_periodic
        from mediane.labels import rules  # noqa: F401  (registers the permission rules)
        from mediane.labels.tasks import label_expiry

        register_periodic("labels.expiry", every=timedelta(hours=1), task=label_expiry)
