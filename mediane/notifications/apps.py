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

        from datetime import timedelta

        from mediane.core.periodic import register_periodic
        from mediane.core.task_recovery import register_interruptible
        from mediane.notifications.tasks import send_digests, send_immediate_emails

        # Sending again after a worker died is safe: each e-mail is claimed once (an
        # EmailDelivery row, unique per person and period) before it is sent, so a rerun sends
        # what was not claimed yet and never an e-mail twice (at most once).
        register_interruptible(send_digests, retryable=True)
        register_interruptible(send_immediate_emails, retryable=True)

        # Digests are idempotent per person and period (day or ISO week in their time zone):
        # checking every hour sends each one early in its period, and never twice.
        for frequency in ("daily", "weekly"):
            register_periodic(
                f"notifications.digests.{frequency}",
                every=timedelta(hours=1),
                task=send_digests,
                args=(frequency,),
            )
