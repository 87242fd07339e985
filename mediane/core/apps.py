from datetime import timedelta

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mediane.core"
    label = "core"

    def ready(self) -> None:
        from mediane.core.periodic import register_periodic
        from mediane.core.tasks import prune_task_results

        register_periodic(
            "core.prune_task_results", every=timedelta(days=1), task=prune_task_results
        )
