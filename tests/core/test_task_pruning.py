"""Finished task rows are pruned daily (core/task_pruning.py; docs/operations.md): old
successful and failed rows go, in batches; queued and running rows, recent rows and the rows
recovery still counts for an open object stay. The status index exists on both databases."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from mediane.core import periodic, task_pruning
from mediane.core.tasks import prune_task_results

pytestmark = pytest.mark.django_db

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
DAY = timedelta(days=1)


def row(status: str, *, finished_ago: timedelta | None, path: str = "mediane.x.y", args=()):  # type: ignore[no-untyped-def]
    """A task row as the queue leaves it: enqueued, then (when finished) finished that long ago."""
    now = timezone.now()
    task = DBTaskResult.objects.create(
        task_path=path,
        status=status,
        args_kwargs={"args": list(args), "kwargs": {}},
        backend_name="default",
    )
    finished_at = None if finished_ago is None else now - finished_ago
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=(finished_at or now) - timedelta(minutes=5), finished_at=finished_at
    )
    return task.pk


def remaining() -> set:
    return set(DBTaskResult.objects.values_list("pk", flat=True))


def test_old_finished_rows_go_recent_queued_and_running_ones_stay(settings):
    settings.TASK_RESULTS_KEEP_DAYS = 7
    old_success = row(TaskResultStatus.SUCCESSFUL, finished_ago=8 * DAY)
    recent_success = row(TaskResultStatus.SUCCESSFUL, finished_ago=6 * DAY)
    failed_recently = row(TaskResultStatus.FAILED, finished_ago=20 * DAY)  # failures: 30 days
    old_failure = row(TaskResultStatus.FAILED, finished_ago=31 * DAY)
    ready = row(TaskResultStatus.READY, finished_ago=None)
    running = row(TaskResultStatus.RUNNING, finished_ago=None)
    DBTaskResult.objects.filter(pk__in=[ready, running]).update(
        enqueued_at=timezone.now() - 90 * DAY  # however old, never touched
    )
    no_finish_time = row(TaskResultStatus.SUCCESSFUL, finished_ago=None)
    DBTaskResult.objects.filter(pk=no_finish_time).update(enqueued_at=timezone.now() - 9 * DAY)

    assert task_pruning.prune_task_results() == 3
    assert remaining() == {recent_success, failed_recently, ready, running}
    assert not remaining() & {old_success, old_failure, no_finish_time}
    assert task_pruning.prune_task_results() == 0  # idempotent


def test_keep_days_setting(settings):
    long_failure = row(TaskResultStatus.FAILED, finished_ago=35 * DAY)
    success = row(TaskResultStatus.SUCCESSFUL, finished_ago=35 * DAY)
    settings.TASK_RESULTS_KEEP_DAYS = 0  # keeps everything
    assert task_pruning.prune_task_results() == 0
    settings.TASK_RESULTS_KEEP_DAYS = 40  # failures kept as long as successes when longer
    assert task_pruning.prune_task_results() == 0
    settings.TASK_RESULTS_KEEP_DAYS = 30
    assert task_pruning.prune_task_results() == 2
    assert not remaining() & {long_failure, success}


def test_rows_are_deleted_in_batches(settings):
    settings.TASK_RESULTS_KEEP_DAYS = 7
    old = [row(TaskResultStatus.SUCCESSFUL, finished_ago=10 * DAY) for _ in range(7)]
    kept = row(TaskResultStatus.SUCCESSFUL, finished_ago=DAY)
    with CaptureQueriesContext(connection) as queries:
        assert task_pruning.prune_task_results(batch_size=3) == 7
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 3 + 3 + 1 rows, each one statement
    assert all("LIMIT 3" in sql for sql in deletes)
    assert remaining() == {kept}
    assert len(old) == 7


def test_rows_counted_by_recovery_for_an_open_version_are_kept(
    settings, django_capture_on_commit_callbacks
):
    from mediane.datahub import services as datahub_services
    from mediane.datahub.models import DatasetVersion, VersionStatus
    from mediane.datahub.tasks import process_version
    from tests.datahub.factories import dataset, make_hub

    settings.TASKS = DB_BACKEND
    settings.TASK_RESULTS_KEEP_DAYS = 7
    hub = make_hub()
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued on commit
        version = datahub_services.version_upload(
            actor=hub.editor,
            dataset=dataset(hub),
            file=io.BytesIO(b"a,b\n1,2\n"),
            filename="d.csv",
        )
    task = DBTaskResult.objects.get(task_path=process_version.module_path)
    long_ago = timezone.now() - 40 * DAY
    DBTaskResult.objects.filter(pk=task.pk).update(
        status=TaskResultStatus.FAILED, finished_at=long_ago, enqueued_at=long_ago
    )
    other = row(
        TaskResultStatus.FAILED,
        finished_ago=40 * DAY,
        path=process_version.module_path,
        args=[version.pk + 1000],  # a version that no longer exists
    )
    assert DatasetVersion.objects.get(pk=version.pk).status == VersionStatus.PENDING
    # The sweep counts this row to stop re-queueing at MEDIANE_TASK_MAX_ATTEMPTS: kept.
    assert task_pruning.prune_task_results() == 1
    assert remaining() == {task.pk}
    assert other not in remaining()

    DatasetVersion.objects.filter(pk=version.pk).update(status=VersionStatus.FAILED)
    assert task_pruning.prune_task_results() == 1
    assert remaining() == set()


def test_the_prune_is_a_daily_periodic_job(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = DB_BACKEND
    job = periodic.registered_jobs()["core.prune_task_results"]
    assert job.every == DAY
    assert job.task is prune_task_results

    settings.TASK_RESULTS_KEEP_DAYS = 7
    old = row(TaskResultStatus.SUCCESSFUL, finished_ago=10 * DAY)
    monkeypatch.setattr(periodic, "_JOBS", {job.name: job})  # this job only
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic.tick() == ["core.prune_task_results"]
    assert periodic.tick() == []  # once a day
    queued = DBTaskResult.objects.get(task_path=prune_task_results.module_path)
    assert queued.status == TaskResultStatus.READY
    assert prune_task_results.call() == 1  # what the worker then runs
    assert old not in remaining()


def _sample(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


def test_metrics_count_what_is_left(client, settings):
    settings.METRICS_TOKEN = "the-metrics-token"
    settings.TASK_RESULTS_KEEP_DAYS = 7
    auth = {"HTTP_AUTHORIZATION": "Bearer the-metrics-token"}
    row(TaskResultStatus.SUCCESSFUL, finished_ago=10 * DAY)
    row(TaskResultStatus.SUCCESSFUL, finished_ago=DAY)
    row(TaskResultStatus.READY, finished_ago=None)
    text = client.get("/metrics", **auth).content.decode()
    assert _sample(text, "mediane_tasks", status="successful") == 2
    task_pruning.prune_task_results()
    text = client.get("/metrics", **auth).content.decode()
    assert _sample(text, "mediane_tasks", status="successful") == 1
    assert _sample(text, "mediane_tasks", status="ready") == 1
    assert _sample(text, "mediane_tasks_oldest_ready_age_seconds") >= 0


def test_the_status_index_exists():
    table = DBTaskResult._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    index = constraints["core_taskresult_status_finished_idx"]
    assert index["index"] and index["columns"] == ["status", "finished_at"]
