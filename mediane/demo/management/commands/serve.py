"""`mediane serve`: the web server (gunicorn) and the task worker, side by side.

Both run as child processes. Ctrl-C (SIGINT) or SIGTERM stops both; if either dies, the other is
stopped and the command exits non-zero, so a supervisor notices. On Linux the children also get
SIGTERM from the kernel if this process dies without stopping them (SIGKILL, out of memory).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

STOP_TIMEOUT = 10.0
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def pending_migrations() -> list[str]:
    """Names of the migrations not yet applied to the default database."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def gunicorn_command(host: str, port: int, workers: int, threads: int) -> list[str]:
    from gunicorn.config import Config

    # Recent gunicorn opens a control socket in $HOME; several servers on one machine would clash.
    extra = ["--no-control-socket"] if "control_socket_disable" in Config().settings else []
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "mediane.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--access-logfile",
        "-",
        *extra,
    ]


def die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` for the children: on Linux, asks the kernel to send them SIGTERM when this
    process dies (prctl PR_SET_PDEATHSIG), so a SIGKILLed `mediane serve` leaves no orphan
    gunicorn or worker behind; None elsewhere (no such call). libc is loaded here, before the
    fork: the function only calls it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()
    sigterm = int(signal.SIGTERM)

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, sigterm, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the call: nobody would signal us
            os._exit(1)

    return preexec


def worker_command() -> list[str]:
    return [sys.executable, "-m", "mediane.cli", "worker"]


class Command(BaseCommand):
    help = "Sert Médiane (gunicorn) avec le worker de tâches ; Ctrl-C arrête les deux."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("PORT") or 8000),
            help="Port d'écoute (défaut : variable PORT, sinon 8000).",
        )
        parser.add_argument("--host", default="127.0.0.1", help="Adresse d'écoute.")
        parser.add_argument("--workers", type=int, default=2, help="Processus gunicorn.")
        parser.add_argument("--threads", type=int, default=4, help="Fils par processus.")
        parser.add_argument(
            "--no-worker", action="store_true", help="Ne pas lancer le worker de tâches."
        )
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="Ne pas collecter les statiques."
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if not 0 < options["port"] < 65536:
            raise CommandError(f"Port invalide : {options['port']}.")
        pending = pending_migrations()
        if pending:
            raise CommandError(
                f"La base de données n'est pas à jour ({len(pending)} migration(s) à appliquer, "
                f"dont {pending[0]}). Lancez « mediane migrate » ou « make demo »."
            )
        connections.close_all()
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        commands = {
            "web": gunicorn_command(
                options["host"], options["port"], options["workers"], options["threads"]
            )
        }
        if not options["no_worker"]:
            commands["worker"] = worker_command()
        code = Supervisor(commands, stdout=self.stdout).run(
            url=f"http://{options['host']}:{options['port']}"
        )
        if code:
            sys.exit(code)


class Supervisor:
    """Starts the child processes and stops them all together."""

    def __init__(self, commands: dict[str, list[str]], stdout) -> None:  # type: ignore[no-untyped-def]
        self.commands = commands
        self.stdout = stdout
        self.children: dict[str, subprocess.Popen] = {}
        self.stopping = False

    def _on_signal(self, signum, frame) -> None:  # type: ignore[no-untyped-def]
        self.stopping = True

    def run(self, *, url: str) -> int:
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            env = {**os.environ, "PYTHONUNBUFFERED": "1"}
            env.setdefault("DJANGO_SETTINGS_MODULE", "mediane.settings")
            preexec = die_with_parent()
            for name, command in self.commands.items():
                # A new session: the children do not get the terminal's Ctrl-C directly, so
                # they stop in order, through us. The death signal is tied to the thread that
                # starts them: this one, the main thread, which lives as long as the command.
                self.children[name] = subprocess.Popen(  # noqa: S603 - our own argv
                    command,
                    env=env,
                    cwd=settings.PROJECT_DIR,
                    start_new_session=True,
                    preexec_fn=preexec,  # no other thread runs here; the body is fork-safe
                )
            self.stdout.write(f"Médiane est servi sur {url} (Ctrl-C pour arrêter).")
            if "worker" in self.children:
                self.stdout.write("Le worker de tâches tourne à côté.")
            failed = self._wait()
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failed:
            self.stdout.write(f"Le processus « {failed} » s'est arrêté : arrêt de Médiane.")
            return 1
        self.stdout.write("Médiane est arrêté.")
        return 0

    def _wait(self) -> str | None:
        while not self.stopping:
            for name, child in self.children.items():
                if child.poll() is not None:
                    return name
            time.sleep(0.2)
        return None

    def _stop_all(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
