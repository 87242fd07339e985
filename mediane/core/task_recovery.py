"""Recovery of work interrupted by a dead process (docs/operations.md, « Interruption et reprise
des tâches »).

Every `mediane worker` calls `recover()` when it starts and at each heartbeat. It finds the task
rows of django_tasks_db left "running" by a worker that is gone (`core.recovery.decide`), and
puts each one back in the queue (a task declared retryable, tried fewer than
MEDIANE_TASK_MAX_ATTEMPTS times) or marks it failed with the reason « Interrompu : le processus
de travail s'est arrêté ». The app that owns the task moves its own object out of its running
state in the same transaction (`register_interruptible`): a dataset version, a scheduler run.
Then each app's sweep (`register_recovery_sweep`) repairs what no task row tells: objects left
"running" with no task, partial files of an upload cut short.

The queue is django_tasks_db's own table: a task put back is its row set to READY again (its
`worker_ids` keeps one entry per attempt), never a copy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediane.core import recovery

logger = logging.getLogger(__name__)

INTERRUPTED_REASON = _("Interrompu : le processus de travail s'est arrêté")
INTERRUPTED_EXCEPTION = "mediane.core.task_recovery.WorkerInterrupted"


class WorkerInterrupted(Exception):
    """Recorded as the exception of a task whose worker died while running it."""


Handler = Callable[..., None]


@dataclass(frozen=True)
class Interruptible:
    task_path: str
    retryable: bool
    on_interrupted: Handler | None


_TASKS: dict[str, Interruptible] = {}
_SWEEPS: dict[str, Callable[..., int]] = {}
_SWEEP_EVERY: dict[str, Callable[[], float]] = {}
_SWEEP_LAST: dict[str, datetime] = {}  # per process


def register_interruptible(
    task: Any, *, retryable: bool, on_interrupted: Handler | None = None
) -> None:
    """Declare how an interrupted run of `task` (a django_tasks Task) is recovered.

    `retryable`: running it again is safe (idempotent: it finds what is left to do). Tasks not
    declared are never retried. `on_interrupted(args, kwargs, retry=..., reason=...)` is called
    inside the recovery's transaction to move the task's object out of its running state.
    """
    _TASKS[task.module_path] = Interruptible(task.module_path, retryable, on_interrupted)


def register_recovery_sweep(
    name: str, sweep: Callable[..., int], *, every: Callable[[], float] | None = None
) -> None:
    """`sweep(now=..., stale=...)` repairs an app's leftovers; returns how many it fixed.
    `every()`: at most one run per that many seconds in a process (costly sweeps: file walks);
    else at each recovery."""
    _SWEEPS[name] = sweep
    if every is not None:
        _SWEEP_EVERY[name] = every


def stale_delay() -> timedelta:
    return timedelta(seconds=settings.WORKER_STALE_SECONDS)


def uses_database_queue() -> bool:
    """Recovery reads django_tasks_db's table; other backends (immediate, tests) have none."""
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def open_task_args(task: Any) -> list[list[Any]]:
    """The positional arguments of the queued or running rows of `task` (for the sweeps)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(
        task_path=task.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).values_list("args_kwargs", flat=True)
    return [list((row or {}).get("args") or []) for row in rows]


def times_queued(task: Any, first_args: set[Any]) -> dict[Any, int]:
    """How many rows of `task` (any state) were queued with each of these first arguments."""
    from django_tasks_db.models import DBTaskResult

    counts: dict[Any, int] = {}
    rows = DBTaskResult.objects.filter(task_path=task.module_path).values_list(
        "args_kwargs", flat=True
    )
    for row in rows:
        args = (row or {}).get("args") or []
        if args and args[0] in first_args:
            counts[args[0]] = counts.get(args[0], 0) + 1
    return counts


def requeue_or_fail(
    stranded: list[tuple[Any, str]],
    *,
    task: Any,
    queued_status: str,
    fail: Callable[[Any, str], Any],
) -> int:
    """Move on the objects (pk, status) that no open task of `task` will move: one still in
    `queued_status` is queued again while it has been queued fewer than MEDIANE_TASK_MAX_ATTEMPTS
    times, any other is failed with the interruption reason (`fail(pk, reason)`, truthy when
    it changed something). Returns how many were moved on."""
    if not stranded:
        return 0
    open_ids = {args[0] for args in open_task_args(task) if args}
    tries = times_queued(task, {pk for pk, _status in stranded})
    fixed = 0
    for pk, status in stranded:
        if pk in open_ids:
            continue
        with transaction.atomic():
            if status == queued_status and tries.get(pk, 0) < settings.TASK_MAX_ATTEMPTS:
                task.enqueue(pk)
                fixed += 1
            elif fail(pk, str(INTERRUPTED_REASON)):
                fixed += 1
    return fixed


@dataclass
class RecoveryReport:
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    swept: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.retried or self.failed or any(self.swept.values()))


def recover(now: datetime | None = None) -> RecoveryReport:
    """Recover the tasks of dead workers, then run the apps' sweeps (each failure logged, the
    others still run)."""
    report = RecoveryReport()
    if not uses_database_queue():
        return report
    now = now or timezone.now()
    recover_tasks(now=now, report=report)
    for name, sweep in list(_SWEEPS.items()):
        every = _SWEEP_EVERY.get(name)
        last = _SWEEP_LAST.get(name)
        if every is not None and last is not None and now - last < timedelta(seconds=every()):
            continue
        _SWEEP_LAST[name] = now
        try:
            report.swept[name] = sweep(now=now, stale=stale_delay())
        except Exception:
            logger.exception("recovery sweep %s failed", name)
    if report:
        logger.warning(
            "recovery: %d task(s) queued again, %d marked failed, sweeps %s",
            len(report.retried),
            len(report.failed),
            {k: v for k, v in report.swept.items() if v},
        )
    return report


def recover_tasks(*, now: datetime, report: RecoveryReport | None = None) -> RecoveryReport:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from mediane.core.models import WorkerHeartbeat

    report = report if report is not None else RecoveryReport()
    running = [
        recovery.RunningTask(
            id=str(row.pk),
            task_path=row.task_path,
            worker_ids=tuple(row.worker_ids or ()),
            started_at=row.started_at,
        )
        for row in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
            "id", "task_path", "worker_ids", "started_at"
        )
    ]
    if not running:
        return report
    heartbeats = dict(WorkerHeartbeat.objects.values_list("worker_id", "last_seen_at"))
    decisions = recovery.decide(
        running,
        heartbeats=heartbeats,
        retryable={path for path, entry in _TASKS.items() if entry.retryable},
        now=now,
        stale=stale_delay(),
        max_attempts=settings.TASK_MAX_ATTEMPTS,
    )
    for decision in decisions:
        try:
            if _apply(decision, now=now):
                (report.retried if decision.action == "retry" else report.failed).append(
                    decision.task.id
                )
        except Exception:
            logger.exception("recovery of task %s failed", decision.task.id)
    return report


def _apply(decision: recovery.Decision, *, now: datetime) -> bool:
    """Put the task back or fail it, with its object, in one transaction. The conditional
    UPDATE (still running, same claim) makes two workers recovering at once act only once."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    task = decision.task
    retry = decision.action == recovery.Action.RETRY
    reason = str(INTERRUPTED_REASON)
    with transaction.atomic():
        rows = DBTaskResult.objects.filter(
            pk=task.id, status=TaskResultStatus.RUNNING, started_at=task.started_at
        )
        if retry:
            changed = rows.update(status=TaskResultStatus.READY)
        else:
            changed = rows.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                return_value=None,
                exception_class_path=INTERRUPTED_EXCEPTION,
                traceback=(
                    f"{reason} (tentative {decision.attempts}, "
                    f"worker {task.worker_ids[-1] if task.worker_ids else '?'})"
                ),
            )
        if not changed:
            return False
        entry = _TASKS.get(task.task_path)
        if entry is not None and entry.on_interrupted is not None:
            args_kwargs = (
                DBTaskResult.objects.filter(pk=task.id)
                .values_list("args_kwargs", flat=True)
                .first()
                or {}
            )
            entry.on_interrupted(
                list(args_kwargs.get("args") or []),
                dict(args_kwargs.get("kwargs") or {}),
                retry=retry,
                reason=reason,
            )
    logger.warning(
        "task %s (%s) interrupted after attempt %d: %s",
        task.id,
        task.task_path,
        decision.attempts,
        "queued again" if retry else "marked failed",
    )
    return True


def orphan_delay() -> timedelta:
    return timedelta(seconds=settings.ORPHAN_FILE_SECONDS)


def file_sweep_seconds() -> float:
    """File clean-ups walk folders: at most every 5 minutes (sooner with a short orphan delay)."""
    return min(300.0, settings.ORPHAN_FILE_SECONDS / 4)


def _sweep_upload_spools(*, now: datetime, stale: timedelta) -> int:
    from mediane.core.atomic_files import remove_stale_upload_spools

    return len(remove_stale_upload_spools(older_than=now - orphan_delay()))


register_recovery_sweep("core.upload_spools", _sweep_upload_spools, every=file_sweep_seconds)
