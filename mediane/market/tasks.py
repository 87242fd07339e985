"""Background tasks of the market (run by `mediane worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def close_due_challenges() -> int:
    """Close the open challenges whose closing time has passed; returns how many were closed."""
    from mediane.market.services import challenges_close_due

    return len(challenges_close_due())


@task()
def refresh_matching_profiles() -> int:
    """Build the missing or stale stored profiles of the recommendations (text analysed once,
    offers, references) and vectors of the open challenges; returns how many were built."""
    from mediane.market.matching_adapter import refresh_challenge_vectors, refresh_profiles

    return refresh_profiles() + refresh_challenge_vectors()
