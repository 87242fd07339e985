"""Background tasks of labels (run by `mediane worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def label_expiry() -> int:
    """Remind the cities whose label ends within 30 days (once), expire the outdated labels."""
    from mediane.labels.services import labels_expire, labels_remind_expiring

    return labels_remind_expiring() + labels_expire()
