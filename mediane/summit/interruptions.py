"""Scheduler runs cut short by a dead worker (core/task_recovery.py).

A run whose worker died is marked failed with the reason, shown on the organisers' page; it is
not run again on its own (a worker killed while solving may have run out of memory: the
organiser decides to start a new run, maybe with a shorter time limit). Its meetings are written
in one transaction at the end (`scheduling._store`), so an interrupted run has none, and the
meetings of earlier runs are untouched. A run committed whose task was never queued is queued.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.summit.models import RunStatus, ScheduleRun


def run_interrupted(args: list[Any], kwargs: dict[str, Any], *, retry: bool, reason: str) -> None:
    run_id = (args or [kwargs.get("run_id")])[0]
    if run_id is None:
        return
    if retry:
        ScheduleRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
            status=RunStatus.QUEUED, progress=0.0, phase=_("Reprise après interruption…")
        )
        return
    _fail(run_id, reason)


def _fail(run_id: int, reason: str) -> int:
    return ScheduleRun.objects.filter(
        pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).update(
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error=reason,
        phase=_("Calcul interrompu."),
    )


def runs_sweep(*, now: datetime, stale: timedelta) -> int:
    """Runs left queued or running with no task to move them on."""
    from mediane.core.task_recovery import requeue_or_fail
    from mediane.summit.tasks import run_scheduler

    stranded = list(
        ScheduleRun.objects.filter(
            status__in=[RunStatus.QUEUED, RunStatus.RUNNING], created_at__lt=now - stale
        ).values_list("pk", "status")
    )
    return requeue_or_fail(stranded, task=run_scheduler, queued_status=RunStatus.QUEUED, fail=_fail)


def open_runs() -> list[int]:
    """Runs still queued or running: `runs_sweep` counts their task rows, pruning keeps them."""
    return list(
        ScheduleRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).values_list(
            "pk", flat=True
        )
    )


def register() -> None:
    from mediane.core.task_pruning import register_prune_guard
    from mediane.core.task_recovery import register_interruptible, register_recovery_sweep
    from mediane.summit.tasks import run_scheduler

    register_interruptible(run_scheduler, retryable=False, on_interrupted=run_interrupted)
    register_recovery_sweep("summit.runs", runs_sweep)
    register_prune_guard(run_scheduler, open_runs)
