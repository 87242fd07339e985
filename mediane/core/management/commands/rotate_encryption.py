"""`mediane rotate-encryption`: re-encrypt every stored secret with the first key
(see `mediane.core.crypto` and docs/operations.md, "Rotating secrets")."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mediane.core import crypto


class Command(BaseCommand):
    help = (
        "Rechiffre les secrets enregistrés (clés d'API des portails, graines TOTP) "
        "avec la première clé."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="affiche une nouvelle clé pour MEDIANE_ENCRYPTION_KEYS, sans rien modifier",
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["new_key"]:
            self.stdout.write(crypto.generate_key())
            return
        try:
            counts = crypto.rotate()
        except crypto.DecryptionError as exc:
            raise CommandError(str(exc)) from exc
        for label, rewritten in counts.items():
            self.stdout.write(f"{label} : {rewritten} secret(s) rechiffré(s)")
        self.stdout.write(self.style.SUCCESS("Rotation terminée."))
