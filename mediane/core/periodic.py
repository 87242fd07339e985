"""Periodic jobs: background tasks enqueued at a fixed interval by the worker.

An app registers its jobs in `AppConfig.ready()`::

    register_periodic("market.close_due", every=timedelta(minutes=1), task=close_due_challenges)

`mediane worker` calls `tick()` every `PERIODIC_TICK_SECONDS` (unless `--no-periodic`): each due
job is claimed with a conditional UPDATE of its `PeriodicRun` row (the same on SQLite and
PostgreSQL) and its task enqueued; with several workers, exactly one claims each run. A job
whose task fails is simply run again at its next interval: periodic jobs must be idempotent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
PERIODIC_TICK_SECONDS = 30.0


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    task: Any  # a django_tasks Task
    args: tuple = field(default=())


_JOBS: dict[str, PeriodicJob] = {}


def register_periodic(name: str, *, every: timedelta, task: Any, args: tuple = ()) -> None:
    """Enqueue `task(*args)` every `every` (at most once per interval across all workers)."""
    _JOBS[name] = PeriodicJob(name, every, task, tuple(args))


def registered_jobs() -> dict[str, PeriodicJob]:
    return dict(_JOBS)


def _enqueue(job: PeriodicJob) -> None:
    job.task.enqueue(*job.args)


def tick(now: datetime | None = None) -> list[str]:
    """Enqueue every registered job that is due; returns the names enqueued by this call."""
    from mediane.core.models import PeriodicRun

    at = now or timezone.now()
    enqueued = []
    for job in list(_JOBS.values()):
        try:
            with transaction.atomic():
                PeriodicRun.objects.get_or_create(name=job.name, defaults={"next_run_at": at})
        except IntegrityError:  # another worker created it at the same moment
            pass
        with transaction.atomic():
            claimed = PeriodicRun.objects.filter(name=job.name, next_run_at__lte=at).update(
                next_run_at=at + job.every, last_run_at=at
            )
            if claimed:
                transaction.on_commit(partial(_enqueue, job))
                enqueued.append(job.name)
    if enqueued:
        logger.info("periodic jobs enqueued: %s", ", ".join(enqueued))
    return enqueued
