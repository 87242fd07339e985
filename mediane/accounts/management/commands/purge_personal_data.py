"""`mediane purge-personal-data`: apply the retention delays of personal data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mediane.accounts.retention import purge_personal_data


class Command(BaseCommand):
    help = (
        "Supprime les données personnelles dont la durée de conservation est passée : "
        "notifications lues, entrées du journal d'audit, comptes jamais vérifiés ni utilisés."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = purge_personal_data()
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Notifications lues supprimées : {counts['notifications']}\n"
                f"Entrées du journal d'audit supprimées : {counts['audit_entries']}\n"
                f"Comptes inactifs supprimés : {counts['inactive_accounts']}"
            )
