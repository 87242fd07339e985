"""Request ids, structured logs and Prometheus metrics (see docs/operations.md).

Imported by the logging configuration before the apps are loaded: no model import at module level.

- `RequestMiddleware` (first in MIDDLEWARE) takes a valid `X-Request-ID` or makes one, returns it
  in the response, puts it (with the method and path) on every log record of the request through
  a context variable read by `RequestContextFilter`, writes one access-log line per request and
  counts the request in the metrics.
- `JsonFormatter` writes one JSON object per line (MEDIANE_LOG_FORMAT=json).
- Metrics: counters and histograms of this module, plus the task queue, the periodic jobs and
  the workers' heartbeats read from the database at scrape time (`metrics_exposition`).
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric

access_logger = logging.getLogger("mediane.access")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_CONTEXT: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "mediane_request", default=None
)
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
# What a log message must never show: values of secret-looking parameters.
_SECRET_VALUES = re.compile(
    r"(?i)\b(password|passwd|token|secret|api[_-]?key|authorization|sessionid|csrftoken)"
    r"(\s*[=:]\s*)(bearer\s+)?[^\s&,;\"']+"
)


def request_id_from(value: str | None) -> str:
    """The incoming id when it is short and made of safe characters, else a new one."""
    if value and _VALID_REQUEST_ID.match(value):
        return value
    return uuid.uuid4().hex


def current_request_id() -> str:
    context = _CONTEXT.get()
    return context["request_id"] if context else ""


def redact(text: str) -> str:
    return _SECRET_VALUES.sub(lambda m: f"{m.group(1)}{m.group(2)}[masqué]", text)


class RequestContextFilter(logging.Filter):
    """Puts the current request's id, method and path on every record (`-` outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _CONTEXT.get() or {}
        record.request_id = context.get("request_id", "-")
        if not hasattr(record, "method"):
            record.method = context.get("method", "")
        if not hasattr(record, "path"):
            record.path = context.get("path", "")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the request's fields."""

    FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for name in self.FIELDS:
            value = getattr(record, name, None)
            if value not in (None, ""):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


# --- Metrics ----------------------------------------------------------------------------------
# With several gunicorn workers, each process counts its own requests: set
# PROMETHEUS_MULTIPROC_DIR (prometheus-client's multiprocess mode) so /metrics adds them up.
disable_created_metrics()  # no `_created` series: half the lines, nothing lost
APP_REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "mediane_http_requests",
    "Requêtes HTTP traitées, par méthode, route et classe de statut.",
    ["method", "route", "status"],
    registry=APP_REGISTRY,
)
LATENCY = Histogram(
    "mediane_http_request_duration_seconds",
    "Durée des requêtes HTTP, par méthode et route.",
    ["method", "route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=APP_REGISTRY,
)
ERRORS = Counter(
    "mediane_http_errors",
    "Erreurs serveur : réponses 5xx et exceptions non rattrapées, par route.",
    ["route", "kind"],
    registry=APP_REGISTRY,
)


def route_of(request: HttpRequest) -> str:
    """The URL pattern's name (bounded cardinality), never the raw path."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"


class _DatabaseCollector:
    """Task queue, periodic jobs and workers, read from the database at scrape time."""

    def collect(self) -> Iterator[Metric]:
        from django.db.models import Count, Max, Min
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from mediane.core.models import PeriodicRun, WorkerHeartbeat

        tasks = GaugeMetricFamily(
            "mediane_tasks", "Tâches de fond par état (file de la base).", labels=["status"]
        )
        # COUNT(*), not COUNT(id): SQLite answers it from the (status, finished_at) index alone.
        counts = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("*")).order_by())
        for status in ("READY", "RUNNING", "FAILED", "SUCCESSFUL"):
            tasks.add_metric([status.lower()], counts.get(status, 0))
        yield tasks
        oldest = DBTaskResult.objects.ready().aggregate(at=Min("enqueued_at"))["at"]
        yield GaugeMetricFamily(
            "mediane_tasks_oldest_ready_age_seconds",
            "Âge de la plus ancienne tâche en attente (0 si aucune).",
            value=(timezone.now() - oldest).total_seconds() if oldest else 0.0,
        )
        periodic = GaugeMetricFamily(
            "mediane_periodic_last_run_timestamp_seconds",
            "Dernier lancement de chaque tâche périodique (horodatage Unix).",
            labels=["job"],
        )
        for name, last_run_at in PeriodicRun.objects.values_list("name", "last_run_at"):
            if last_run_at:
                periodic.add_metric([name], last_run_at.timestamp())
        yield periodic
        last_seen = WorkerHeartbeat.objects.aggregate(at=Max("last_seen_at"))["at"]
        yield GaugeMetricFamily(
            "mediane_worker_last_heartbeat_timestamp_seconds",
            "Dernier signe de vie d'un worker (horodatage Unix, 0 si jamais).",
            value=last_seen.timestamp() if last_seen else 0.0,
        )


class _Exposition:
    def __init__(self, *collectors: Any) -> None:
        self.collectors = collectors

    def collect(self) -> Iterator[Metric]:
        for collector in self.collectors:
            yield from collector.collect()


def metrics_exposition() -> bytes:
    """The text exposition of every metric: the process's own counters, or those of every
    process with PROMETHEUS_MULTIPROC_DIR, and the database gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        requests: Any = registry
    else:
        requests = APP_REGISTRY
    return generate_latest(_Exposition(requests, _DatabaseCollector()))  # type: ignore[arg-type]


# --- Middleware -------------------------------------------------------------------------------
class RequestMiddleware:
    """Request id, access log and request metrics; first in MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        method = request.method if request.method in _METHODS else "OTHER"
        token = _CONTEXT.set({"request_id": request_id, "method": method, "path": request.path})
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration = time.perf_counter() - started
            route = route_of(request)
            status = response.status_code
            REQUESTS.labels(method, route, f"{status // 100}xx").inc()
            LATENCY.labels(method, route).observe(duration)
            if status >= 500:
                ERRORS.labels(route, "5xx").inc()
            response[REQUEST_ID_HEADER] = request_id
            user = getattr(request, "_cached_user", None)  # only when already loaded: no query
            access_logger.info(
                "%s %s %s %.1f ms",
                method,
                request.path,
                status,
                duration * 1000,
                extra={
                    "status": status,
                    "duration_ms": round(duration * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            _CONTEXT.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        ERRORS.labels(route_of(request), "exception").inc()
        return None
