"""The yearly summit: editions, programme, registration, badges, B2B meetings and agendas."""

from django.apps import AppConfig


class SummitConfig(AppConfig):
    name = "mediane.summit"
    verbose_name = "Sommet"
    label = "summit"

    def ready(self) -> None:
        from datetime import timedelta

        from mediane.core.periodic import register_periodic
        from mediane.summit import rules  # noqa: F401  (registers the permission rules)
        from mediane.summit.tasks import expire_meeting_requests

        register_periodic(
            "summit.requests", every=timedelta(minutes=15), task=expire_meeting_requests
        )
        from mediane.summit import interruptions

        interruptions.register()  # recovery of scheduler runs cut short by a dead worker
