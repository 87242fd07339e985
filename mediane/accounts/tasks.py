"""Background tasks of accounts (run by `mediane worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def purge_personal_data() -> dict[str, int]:
    """Apply the retention delays of personal data (see `accounts/retention.py`)."""
    from mediane.accounts.retention import purge_personal_data as purge

    return purge()
