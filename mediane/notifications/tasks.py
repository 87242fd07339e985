"""Background tasks of notifications (run by `mediane worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_immediate_emails(notification_ids: list[int]) -> int:
    """E-mail each notification to its recipient who chose immediate e-mails; returns the count."""
    from mediane.notifications.services import emails_send_immediate

    return emails_send_immediate(notification_ids=notification_ids)


@task()
def send_digests(frequency: str) -> int:
    """Send the daily or weekly digests that are due; returns the number of e-mails sent."""
    from mediane.notifications.services import digests_send

    return digests_send(frequency=frequency)
