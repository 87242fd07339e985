"""`mediane send-digests [--frequency daily|weekly]`: e-mail the notification digests due now."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from mediane.notifications.services import digests_send


class Command(BaseCommand):
    help = (
        "Envoie à chaque personne un résumé de ses nouvelles notifications (au plus un par jour "
        "ou par semaine ; relancer la commande n'envoie rien deux fois)."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--frequency",
            choices=["daily", "weekly"],
            default="daily",
            help="Résumés quotidiens (par défaut) ou hebdomadaires.",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        count = digests_send(frequency=options["frequency"])
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(_("%(count)d résumés envoyés.") % {"count": count})
            )
