"""`mediane worker`: the background task worker (django_tasks_db's db_worker) with our defaults."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, connection, connections
from django.utils import timezone

from mediane.core.heartbeat import beat, forget, heartbeat_seconds, worker_id

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Exécute les tâches de fond (e-mails, indexation…) ; Ctrl-C pour arrêter."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Secondes entre deux relevés (défaut : 1)."
        )
        parser.add_argument(
            "--batch", action="store_true", help="Traite les tâches en attente puis s'arrête."
        )
        parser.add_argument("--queue-name", default="default", help="Files à traiter.")
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="Ne pas lancer les tâches périodiques (clôture des défis, résumés par e-mail).",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        worker = worker_id()
        worker_options = {
            "interval": options["interval"],
            "queue_name": options["queue_name"],
            "reload": False,
            "verbosity": options["verbosity"],
            # The tasks it claims carry the heartbeat's id: recovery knows whose they are.
            "worker_id": worker,
        }
        started_at = timezone.now()
        beat(worker=worker, started_at=started_at)
        _recover()  # tasks left running by a worker that died (core/task_recovery.py)
        threading.Thread(
            target=_heartbeat_loop, args=(worker, started_at), name="heartbeat", daemon=True
        ).start()
        if options["batch"]:
            worker_options["batch"] = True
            worker_options["startup_delay"] = False
        elif not options["no_periodic"]:
            threading.Thread(target=_periodic_loop, name="periodic", daemon=True).start()
        try:
            run_until_stopped(worker_options)
        finally:
            try:
                forget(worker=worker)
            except Exception:  # the database may be the reason the worker stops
                logger.warning("worker heartbeat row not removed", exc_info=True)


#: Longest wait between two attempts while the database is unavailable.
DATABASE_RETRY_MAX_SECONDS = 30.0


def run_until_stopped(worker_options: dict) -> None:
    """django_tasks_db's db_worker, started again when the database goes away (a restart, a
    failover) instead of exiting: the worker waits for the database like the app servers do.
    A signal still stops it (db_worker's handler exits, during the wait too)."""
    delay = 1.0
    while True:
        started = time.monotonic()
        try:
            call_command("db_worker", **worker_options)
            return
        except (OperationalError, InterfaceError):
            if time.monotonic() - started > 60:
                delay = 1.0  # it had been running: a new outage, start with a short wait
            logger.warning(
                "database unavailable: the worker starts again in %.0f s", delay, exc_info=True
            )
            connections.close_all()
            time.sleep(delay)
            delay = min(delay * 2, DATABASE_RETRY_MAX_SECONDS)


def _recover() -> None:
    from mediane.core.task_recovery import recover

    try:
        recover()
    except Exception:  # a database hiccup must not stop the worker; the next beat retries
        logger.exception("recovery of interrupted tasks failed")


def _heartbeat_loop(worker: str, started_at: datetime) -> None:
    """Record a sign of life every heartbeat_seconds() for /readyz (core/heartbeat.py), and
    recover the tasks of workers that stopped beating."""
    while True:
        time.sleep(heartbeat_seconds())
        try:
            beat(worker=worker, started_at=started_at)
        except Exception:  # a database hiccup must not stop the worker; next beat retries
            logger.exception("worker heartbeat failed")
        _recover()
        connection.close()


def _periodic_loop() -> None:
    """Enqueue the due periodic jobs (core/periodic.py) every PERIODIC_TICK_SECONDS."""
    from mediane.core.periodic import PERIODIC_TICK_SECONDS, tick

    while True:
        try:
            tick()
        except Exception:  # a database hiccup must not stop the worker; next tick retries
            logger.exception("periodic tick failed")
        finally:
            connection.close()
        time.sleep(PERIODIC_TICK_SECONDS)
