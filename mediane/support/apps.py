"""Accompagnement par des experts : demandes d'accompagnement, leur orientation vers des experts et
leur suivi.
"""

from datetime import timedelta

from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "mediane.support"
    verbose_name = "Accompagnement"
    label = "support"

    def ready(self) -> None:
        from mediane.core.periodic import register_periodic
        from mediane.support import rules  # noqa: F401  (registers the permission rules)
        from mediane.support.tasks import remind_overdue_requests

        register_periodic(
            "support.remind_overdue", every=timedelta(hours=1), task=remind_overdue_requests
        )
