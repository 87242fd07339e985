"""Pruning of finished rows of the task queue (docs/operations.md, « Interruption et reprise des
tâches »).

django_tasks_db keeps every task row for ever: the table, the recovery scan and the `/metrics`
gauges would grow with it. The daily periodic job `core.prune_task_results` deletes the rows
finished long enough ago — successful after MEDIANE_TASK_RESULTS_KEEP_DAYS (7), failed after
30 days or that setting when it is longer (a failure is what an operator comes back to read) —
in batches, each one short DELETE. READY and RUNNING rows are never touched.

No model of ours points to a task row, but the recovery sweeps count the rows queued for an
object still open (`task_recovery.times_queued`, capped by MEDIANE_TASK_MAX_ATTEMPTS): an app
declares such objects with `register_prune_guard`, and the rows of those objects are kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

#: Rows deleted per statement: short locks, bounded memory, whatever the backlog.
BATCH_SIZE = 500
#: Failed rows are kept at least this long.
FAILED_KEEP_DAYS = 30

_GUARDS: dict[str, Callable[[], Iterable[Any]]] = {}


def register_prune_guard(task: Any, open_first_args: Callable[[], Iterable[Any]]) -> None:
    """Keep the rows of `task` (a django_tasks Task) whose first argument is one of
    `open_first_args()` — objects whose recovery still counts their task rows."""
    _GUARDS[task.module_path] = open_first_args


@dataclass(frozen=True)
class Cutoffs:
    successful: datetime
    failed: datetime


def cutoffs(now: datetime | None = None) -> Cutoffs | None:
    """The finish times before which rows go; None when MEDIANE_TASK_RESULTS_KEEP_DAYS is 0."""
    keep = settings.TASK_RESULTS_KEEP_DAYS
    if keep <= 0:
        return None
    now = now or timezone.now()
    return Cutoffs(
        successful=now - timedelta(days=keep),
        failed=now - timedelta(days=max(keep, FAILED_KEEP_DAYS)),
    )


def _finished_before(cutoff: datetime) -> Q:
    # finished_at is set on every finish (by recovery too); enqueued_at covers a row without it.
    return Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, enqueued_at__lt=cutoff)


def prunable_q(limits: Cutoffs) -> Q:
    from django_tasks.base import TaskResultStatus

    query = (Q(status=TaskResultStatus.SUCCESSFUL) & _finished_before(limits.successful)) | (
        Q(status=TaskResultStatus.FAILED) & _finished_before(limits.failed)
    )
    for task_path, open_first_args in _GUARDS.items():
        kept = list(open_first_args())
        if kept:
            query &= ~Q(task_path=task_path, args_kwargs__args__0__in=kept)
    return query


def prune_task_results(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Delete the finished task rows past their keeping delay; returns how many went."""
    from django_tasks_db.models import DBTaskResult

    limits = cutoffs(now)
    if limits is None:
        return 0
    query = prunable_q(limits)
    deleted = 0
    while True:
        batch = DBTaskResult.objects.filter(query).order_by().values("pk")[:batch_size]
        # One DELETE … WHERE id IN (SELECT … LIMIT n): no signal nor relation, so no fetch.
        count, _by_model = DBTaskResult.objects.filter(pk__in=batch).delete()
        deleted += count
        if count < batch_size:
            break
    if deleted:
        logger.info("task results pruned: %d finished row(s) deleted", deleted)
    return deleted
