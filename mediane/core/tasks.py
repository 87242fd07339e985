"""Background tasks of core (run by `mediane worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def prune_task_results() -> int:
    """Delete the finished task rows past their keeping delay (see `core/task_pruning.py`)."""
    from mediane.core.task_pruning import prune_task_results as prune

    return prune()
