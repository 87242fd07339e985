"""Workers' heartbeats: each `mediane worker` process records a sign of life every
HEARTBEAT_SECONDS; `/readyz` says the workers are reachable when one is recent enough
(MEDIANE_WORKER_STALE_SECONDS)."""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 15.0


def heartbeat_seconds() -> float:
    """Seconds between two beats: HEARTBEAT_SECONDS, or less when the stale delay is short, so
    a living worker is never taken for a dead one (core/task_recovery.py)."""
    return max(0.2, min(HEARTBEAT_SECONDS, settings.WORKER_STALE_SECONDS / 4))


def worker_id() -> str:
    """This process's id, also given to django_tasks_db as the worker id of the tasks it claims
    (at most 64 characters, its limit)."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}"


def beat(*, worker: str, started_at: datetime, now: datetime | None = None) -> None:
    """Record that `worker` is alive (one row per worker process, updated in place)."""
    from mediane.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker,
        defaults={"last_seen_at": now or timezone.now()},
        create_defaults={"started_at": started_at, "last_seen_at": now or timezone.now()},
    )


def forget(*, worker: str) -> None:
    """Remove a stopped worker's row, and rows of workers silent for a day."""
    from mediane.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(worker_id=worker).delete()
    WorkerHeartbeat.objects.filter(last_seen_at__lt=timezone.now() - timedelta(days=1)).delete()


def last_heartbeat() -> datetime | None:
    from django.db.models import Max

    from mediane.core.models import WorkerHeartbeat

    return WorkerHeartbeat.objects.aggregate(at=Max("last_seen_at"))["at"]


def worker_is_alive(now: datetime | None = None) -> bool:
    last = last_heartbeat()
    stale = timedelta(seconds=settings.WORKER_STALE_SECONDS)
    return last is not None and last >= (now or timezone.now()) - stale
