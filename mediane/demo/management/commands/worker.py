"""`mediane worker`: the background task worker (django_tasks_db's db_worker) with our defaults."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand


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

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        worker_options = {
            "interval": options["interval"],
            "queue_name": options["queue_name"],
            "reload": False,
            "verbosity": options["verbosity"],
        }
        if options["batch"]:
            worker_options["batch"] = True
            worker_options["startup_delay"] = False
        call_command("db_worker", **worker_options)
