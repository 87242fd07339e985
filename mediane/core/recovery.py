"""What to do with background tasks whose worker died: a pure decision, no Django import.

A worker killed without cleanup (SIGKILL, out of memory, a lost machine) leaves its task rows
"running" for ever. A task is *orphaned* when the last worker that claimed it is dead: its
heartbeat is older than the stale delay, or it has no heartbeat row and the task was claimed
longer ago than that delay (a worker writes its first heartbeat before it claims anything, so
a missing row past the delay means the worker is gone). An orphaned task is run again when it
is declared retryable and has been tried fewer than `max_attempts` times (each claim by a
worker is one attempt); otherwise it is marked failed. `mediane.core.task_recovery` applies
these decisions to the database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Action(StrEnum):
    RETRY = "retry"
    FAIL = "fail"


@dataclass(frozen=True)
class RunningTask:
    """A task row in the running state, as the queue stores it."""

    id: str
    task_path: str
    worker_ids: tuple[str, ...]
    started_at: datetime | None


@dataclass(frozen=True)
class Decision:
    task: RunningTask
    action: Action
    attempts: int  # claims so far, the interrupted one included


def worker_is_dead(
    worker: str | None,
    *,
    claimed_at: datetime | None,
    heartbeats: Mapping[str, datetime],
    now: datetime,
    stale: timedelta,
) -> bool:
    """True when `worker` (the last one that claimed a task at `claimed_at`) is gone."""
    seen = heartbeats.get(worker) if worker else None
    if seen is not None:
        return seen < now - stale
    # No heartbeat row: a worker that has just started may not have written it yet.
    return claimed_at is None or claimed_at < now - stale


def decide(
    tasks: Iterable[RunningTask],
    *,
    heartbeats: Mapping[str, datetime],
    retryable: Collection[str],
    now: datetime,
    stale: timedelta,
    max_attempts: int,
) -> list[Decision]:
    """One decision per orphaned task (tasks whose worker is alive are left alone)."""
    decisions = []
    for task in tasks:
        last = task.worker_ids[-1] if task.worker_ids else None
        if not worker_is_dead(
            last, claimed_at=task.started_at, heartbeats=heartbeats, now=now, stale=stale
        ):
            continue
        attempts = max(1, len(task.worker_ids))
        action = (
            Action.RETRY if task.task_path in retryable and attempts < max_attempts else Action.FAIL
        )
        decisions.append(Decision(task=task, action=action, attempts=attempts))
    return decisions
