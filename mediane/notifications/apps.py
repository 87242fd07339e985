"""Follows, in-app notifications and e-mail digests."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "mediane.notifications"
    verbose_name = "Notifications"
    label = "notifications"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from mediane.notifications import rules  # noqa: F401  (registers the permission rules)
        from mediane.notifications.selectors import warm_unread_count

        user_logged_in.connect(warm_unread_count, dispatch_uid="notifications_warm_unread")
