"""Data hub work cut short by a dead process (core/task_recovery.py).

- A version whose processing worker died goes back to "pending" (its task is queued again) or
  to "failed" with the reason, never stays "processing".
- A version committed but whose task was never queued (the process died between the commit
  and the queueing) is queued; after MEDIANE_TASK_MAX_ATTEMPTS tries it fails.
- Upload files: written whole under their final name (`core.atomic_files.save_atomically`) in
  the same transaction as the version row; partial files, and complete files whose row was
  never committed, are removed once older than MEDIANE_ORPHAN_FILE_SECONDS.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from typing import Any

from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.datahub.models import DatasetVersion, VersionStatus

UPLOAD_PREFIX = "datahub"


def version_interrupted(
    args: list[Any], kwargs: dict[str, Any], *, retry: bool, reason: str
) -> None:
    """The processing task of a version was interrupted: back to pending, or failed."""
    version_id = (args or [kwargs.get("version_id")])[0]
    if version_id is None:
        return
    if retry:
        DatasetVersion.objects.filter(pk=version_id, status=VersionStatus.PROCESSING).update(
            status=VersionStatus.PENDING,
            progress=0.0,
            progress_message=_("Reprise après interruption…"),
        )
        return
    _fail_interrupted(version_id, reason)


def _fail_interrupted(version_id: int, reason: str) -> bool:
    from mediane.datahub.processing import _notify
    from mediane.datahub.services import version_directory

    changed = DatasetVersion.objects.filter(
        pk=version_id, status__in=[VersionStatus.PENDING, VersionStatus.PROCESSING]
    ).update(
        status=VersionStatus.FAILED,
        error_code="interrupted",
        error=reason,
        progress=1.0,
        progress_message="",
        processed_at=timezone.now(),
    )
    if not changed:
        return False
    version = DatasetVersion.objects.select_related("dataset", "created_by").get(pk=version_id)
    directory = version_directory(version)  # what the dead process had started writing

    def after() -> None:
        shutil.rmtree(directory, ignore_errors=True)
        _notify(version, failed=True)

    transaction.on_commit(after)
    return True


def versions_sweep(*, now: datetime, stale: timedelta) -> int:
    """Versions left pending or processing with no task to move them on."""
    from mediane.core.task_recovery import requeue_or_fail
    from mediane.datahub.tasks import process_version

    stranded = list(
        DatasetVersion.objects.filter(
            status__in=[VersionStatus.PENDING, VersionStatus.PROCESSING],
            created_at__lt=now - stale,
        ).values_list("pk", "status")
    )
    return requeue_or_fail(
        stranded, task=process_version, queued_status=VersionStatus.PENDING, fail=_fail_interrupted
    )


def uploads_sweep(*, now: datetime, stale: timedelta) -> int:
    """Partial upload files, and uploads no version points to, older than the orphan delay."""
    from mediane.core.atomic_files import local_root, remove_leftovers
    from mediane.core.task_recovery import orphan_delay

    root = local_root(storages["private"])
    if root is None:
        return 0
    keep = {
        str(name)
        for name in DatasetVersion.objects.exclude(original="").values_list("original", flat=True)
    }
    return len(
        remove_leftovers(root, prefix=UPLOAD_PREFIX, keep=keep, older_than=now - orphan_delay())
    )


def open_versions() -> list[int]:
    """Versions still pending or processing: `versions_sweep` counts their task rows, pruning
    keeps them."""
    return list(
        DatasetVersion.objects.filter(
            status__in=[VersionStatus.PENDING, VersionStatus.PROCESSING]
        ).values_list("pk", flat=True)
    )


def register() -> None:
    from mediane.core.task_pruning import register_prune_guard
    from mediane.core.task_recovery import (
        file_sweep_seconds,
        register_interruptible,
        register_recovery_sweep,
    )
    from mediane.datahub.tasks import process_version

    # Processing is idempotent: it starts again from the uploaded file into a clean folder.
    register_interruptible(process_version, retryable=True, on_interrupted=version_interrupted)
    register_recovery_sweep("datahub.versions", versions_sweep)
    register_recovery_sweep("datahub.uploads", uploads_sweep, every=file_sweep_seconds)
    register_prune_guard(process_version, open_versions)
