"""Follows, in-app notifications and e-mail digests."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "mediane.notifications"
    verbose_name = "Notifications"
    label = "notifications"

    def ready(self) -> None:
        from mediane.notifications import rules  # noqa: F401  (registers the permission rules)
