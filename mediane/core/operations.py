"""Operations endpoints: /healthz, /readyz and /metrics (see docs/operations.md).

No login, no CSRF (GET only), no rate limit, never cached. /healthz does not touch the database.
"""

from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from mediane.core import heartbeat
from mediane.core.observability import metrics_exposition

logger = logging.getLogger(__name__)
PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answers requests."""
    return JsonResponse({"status": "ok"})


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("readyz: database unreachable: %s", type(exc).__name__)
        return "base de données injoignable"
    return "ok"


def check_worker() -> str:
    if not str(settings.TASKS["default"]["BACKEND"]).startswith("django_tasks_db."):
        return "ok"  # tasks run inside the request: no worker to wait for
    try:
        alive = heartbeat.worker_is_alive()
    except DatabaseError:
        return "signe de vie des workers illisible"
    if not alive:
        return (
            f"aucun worker n'a donné signe de vie depuis {settings.WORKER_STALE_SECONDS} s "
            "(lancer « mediane worker »)"
        )
    return "ok"


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """The database answers and a worker gave a sign of life recently: 200, else 503."""
    checks = {"database": check_database()}
    checks["worker"] = check_worker() if checks["database"] == "ok" else "non vérifié"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "indisponible", "checks": checks},
        status=200 if ready else 503,
    )


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition, with `Authorization: Bearer <MEDIANE_METRICS_TOKEN>` only."""
    expected = settings.METRICS_TOKEN
    if not expected:
        raise Http404
    given = request.headers.get("Authorization", "")
    scheme, _, token = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), expected.encode()
    ):
        response = JsonResponse(
            {"code": "unauthorized", "message": "Jeton des métriques absent ou incorrect."},
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    try:
        body = metrics_exposition()
    except DatabaseError:
        logger.exception("metrics: database unreachable")
        return JsonResponse(
            {"code": "unavailable", "message": "Base de données injoignable."}, status=503
        )
    return HttpResponse(body, content_type=PROMETHEUS_CONTENT_TYPE)
