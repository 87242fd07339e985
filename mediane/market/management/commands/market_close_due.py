"""`mediane market-close-due`: close the open challenges whose closing time has passed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mediane.market.services import challenges_close_due


class Command(BaseCommand):
    help = (
        "Clôt les défis publiés dont la date de clôture est passée (à lancer régulièrement, "
        "par exemple toutes les cinq minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        closed = challenges_close_due()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{len(closed)}")
