"""/healthz, /readyz, request ids in logs and responses, JSON logs, /metrics."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from mediane.core import heartbeat
from mediane.core.models import PeriodicRun, WorkerHeartbeat
from mediane.core.observability import JsonFormatter, RequestContextFilter

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def log_lines():
    """What the root logger writes through the project's filter and JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_healthz_answers_without_database(client):
    """No django_db mark: pytest-django makes any query fail the test."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_ready_with_a_recent_worker_heartbeat(client, settings):
    settings.TASKS = DB_BACKEND
    heartbeat.beat(worker="host:1", started_at=timezone.now())
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "worker": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_503_when_the_worker_is_stale_or_absent(client, settings):
    settings.TASKS = DB_BACKEND
    settings.WORKER_STALE_SECONDS = 60
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "aucun worker" in response.json()["checks"]["worker"]

    old = timezone.now() - timedelta(seconds=61)
    heartbeat.beat(worker="host:1", started_at=old, now=old)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "indisponible"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["worker"] != "ok"

    heartbeat.beat(worker="host:1", started_at=old)  # the same row, updated
    assert WorkerHeartbeat.objects.count() == 1
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_503_when_the_database_is_down(client, settings):
    settings.TASKS = DB_BACKEND
    heartbeat.beat(worker="host:1", started_at=timezone.now())
    broken = mock.MagicMock()
    broken.cursor.side_effect = OperationalError("connection refused")
    with mock.patch("mediane.core.operations.connection", broken):
        response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "base de données injoignable"
    assert checks["worker"] == "non vérifié"


def test_readyz_refuses_writes(client):
    assert client.post("/readyz").status_code == 405


@pytest.mark.django_db
def test_heartbeat_forget_removes_the_worker():
    heartbeat.beat(worker="host:1", started_at=timezone.now())
    heartbeat.beat(worker="host:2", started_at=timezone.now())
    heartbeat.forget(worker="host:1")
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["host:2"]


def test_request_id_kept_when_valid_and_put_on_every_log_record(client, log_lines):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123_DEF.4567")
    assert response["X-Request-ID"] == "abc-123_DEF.4567"
    access = [line for line in log_lines() if line["logger"] == "mediane.access"]
    assert len(access) == 1
    assert access[0]["request_id"] == "abc-123_DEF.4567"


@pytest.mark.parametrize(
    "bad", ["short", "x" * 65, "a b c d e f g h", "abc<script>1234", "id\\nINFO fake-line"]
)
def test_bad_incoming_request_id_replaced(client, bad):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=bad)
    assert response["X-Request-ID"] != bad
    assert len(response["X-Request-ID"]) == 32


def test_request_id_generated_and_unique(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert first != second


@pytest.mark.django_db
def test_logs_inside_a_request_carry_its_id(client, log_lines):
    """A record written by the code of the view carries the request's id, method and path."""
    with mock.patch(
        "mediane.core.operations.check_database",
        side_effect=lambda: logging.getLogger("mediane.test").warning("inside") or "ok",
    ):
        response = client.get("/readyz?token=s3cr3t-value")
    lines = log_lines()
    inside = next(line for line in lines if line["message"] == "inside")
    assert inside["request_id"] == response["X-Request-ID"]
    assert inside["method"] == "GET"
    assert inside["path"] == "/readyz"
    assert "s3cr3t-value" not in json.dumps(lines)  # query strings never logged


@pytest.mark.django_db
def test_json_access_line_has_the_fields(client, log_lines, django_user_model):
    user = django_user_model.objects.create_user(email="ops@example.org", password="x" * 12)
    client.force_login(user)
    client.get("/")  # the home page reads request.user
    line = next(line for line in log_lines() if line["logger"] == "mediane.access")
    assert set(line) >= {
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "method",
        "path",
        "status",
        "duration_ms",
        "user_id",
    }
    assert line["level"] == "INFO"
    assert line["method"] == "GET" and line["path"] == "/" and line["status"] == 200
    assert line["user_id"] == user.pk
    assert isinstance(line["duration_ms"], float)


def test_json_formatter_masks_secrets_and_keeps_exceptions():
    record = logging.LogRecord(
        "mediane.x", logging.ERROR, __file__, 1, "login password=hunter22 token: abc", (), None
    )
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RequestContextFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert "hunter22" not in line["message"] and "abc" not in line["message"]
    assert line["request_id"] == "-"
    assert "ValueError: boom" in line["exception"]


def test_metrics_404_without_a_configured_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404


@pytest.mark.django_db
def test_metrics_refuses_without_the_right_token(client, settings):
    settings.METRICS_TOKEN = "the-metrics-token"
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer other")
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Basic the-metrics-token").status_code == 401


def _sample(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


@pytest.mark.django_db
def test_metrics_expose_requests_errors_and_queue(client, settings):
    from django_tasks_db.models import DBTaskResult

    settings.METRICS_TOKEN = "the-metrics-token"
    auth = {"HTTP_AUTHORIZATION": "Bearer the-metrics-token"}
    before = client.get("/metrics", **auth).content.decode()
    client.get("/healthz")
    client.get("/no-such-page-at-all/")
    now = timezone.now()
    PeriodicRun.objects.create(name="market.close_due", next_run_at=now, last_run_at=now)
    DBTaskResult.objects.create(
        task_path="mediane.x", status="READY", args_kwargs={"args": [], "kwargs": {}}
    )
    response = client.get("/metrics", **auth)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    healthz = {"method": "GET", "route": "core:healthz", "status": "2xx"}
    assert (
        _sample(text, "mediane_http_requests_total", **healthz)
        == _sample(before, "mediane_http_requests_total", **healthz) + 1
    )
    assert "/no-such-page-at-all/" not in text  # routes, never raw paths
    assert _sample(
        text, "mediane_http_requests_total", method="GET", route="unmatched", status="4xx"
    )
    assert (
        'mediane_http_request_duration_seconds_bucket{le="0.01",method="GET",route="core:healthz"}'
        in text
    )
    assert _sample(text, "mediane_tasks", status="ready") == 1
    assert _sample(text, "mediane_periodic_last_run_timestamp_seconds", job="market.close_due") == (
        pytest.approx(now.timestamp())
    )
    assert _sample(text, "mediane_worker_last_heartbeat_timestamp_seconds") == 0.0
    assert "mediane_worker_last_heartbeat_timestamp_seconds" in text


@pytest.mark.django_db
def test_metrics_count_unhandled_exceptions(client, settings):
    settings.METRICS_TOKEN = "t" * 20
    auth = {"HTTP_AUTHORIZATION": "Bearer " + "t" * 20}
    client.raise_request_exception = False
    with mock.patch("mediane.core.operations.check_database", side_effect=RuntimeError("x")):
        assert client.get("/readyz").status_code == 500
    text = client.get("/metrics", **auth).content.decode()
    assert _sample(text, "mediane_http_errors_total", route="core:readyz", kind="exception") >= 1
    assert _sample(text, "mediane_http_errors_total", route="core:readyz", kind="5xx") >= 1
