"""Background tasks of the market (run by `mediane worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def close_due_challenges() -> int:
    """Close the open challenges whose closing time has passed; returns how many were closed."""
    from mediane.market.services import challenges_close_due

    return len(challenges_close_due())
