"""Background tasks of support (run by `mediane worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def remind_overdue_requests() -> int:
    """Notify the secretariat and the experts, once, about newly overdue requests."""
    from mediane.support.services import send_overdue_reminders

    return send_overdue_reminders()
