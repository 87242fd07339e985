"""Background work of the summit: expiring meeting requests, running the scheduler."""

from __future__ import annotations

from django_tasks import task


@task()
def expire_meeting_requests() -> dict[str, int]:
    """Periodic: expire unanswered requests past their deadline, remind those expiring soon."""
    from mediane.summit.services import requests_expire

    expired, reminded = requests_expire()
    return {"expired": expired, "reminded": reminded}


@task()
def run_scheduler(run_id: int) -> dict[str, object]:
    """Run the B2B scheduler for a queued run; the run's row shows its progress."""
    from mediane.summit.scheduling import run_execute

    run = run_execute(run_id)
    return {"status": run.status, "scheduled": run.scheduled, "requested": run.requested}
