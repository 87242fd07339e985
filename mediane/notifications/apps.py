"""Follows, in-app notifications and e-mail digests."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "mediane.notifications"
    verbose_name = "Notifications"
    label = "notifications"
