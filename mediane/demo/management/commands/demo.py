"""`mediane demo`: migrate, import the reference territories, load the demo network.

Idempotent: a second run reuses what exists. Prints the demo accounts at the end.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mediane.demo import loader
from mediane.territories.models import Territory

# Below this many municipalities the full reference import has not been run yet.
FULL_IMPORT_MIN_MUNICIPALITIES = 30_000


class Command(BaseCommand):
    help = "Crée ou complète le réseau de démonstration (villes, organisations, comptes)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--territories",
            choices=["all", "minimal", "skip"],
            default="all",
            help="Territoires de référence à importer : tous (défaut), seulement les sept villes "
            "du réseau et leurs niveaux supérieurs (minimal), ou aucun (skip).",
        )
        parser.add_argument(
            "--reimport-territories",
            action="store_true",
            help="Relancer l'import complet même si les territoires sont déjà là.",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        verbosity = options["verbosity"]
        self._step("1/4 Migration de la base de données…", verbosity)
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))

        self._step("2/4 Territoires de référence…", verbosity)
        self._import_territories(options["territories"], options["reimport_territories"], verbosity)

        self._step("3/4 Réseau de démonstration…", verbosity)
        try:
            report = loader.load_demo()
        except loader.DemoError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity:
            for line in report.lines():
                self.stdout.write(f"  {line}")

        # The recommendations' stored profiles (analysed text, vectors of meaning), so that the
        # first lists of the demo are fast; the worker keeps them up to date afterwards.
        self._step("4/4 Profils de recommandation…", verbosity)
        from mediane.market.matching_adapter import refresh_challenge_vectors, refresh_profiles

        built = refresh_profiles()
        vectors = refresh_challenge_vectors()
        if verbosity:
            self.stdout.write(
                "  "
                + _("%(built)d profils construits, %(vectors)d défis encodés.")
                % {"built": built, "vectors": vectors}
            )
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS("Comptes de démonstration"))
            for line in loader.accounts_table(report):
                self.stdout.write(f"  {line}")
            self.stdout.write("")

    def _step(self, text: str, verbosity: int) -> None:
        if verbosity:
            self.stdout.write(self.style.MIGRATE_HEADING(text))

    def _import_territories(self, mode: str, force: bool, verbosity: int) -> None:
        if mode == "skip":
            return
        municipalities = Territory.objects.filter(kind="municipality")
        if mode == "minimal":
            call_command(
                "import_territories", only=",".join(loader.city_codes()), verbosity=verbosity
            )
            return
        if not force and municipalities.count() >= FULL_IMPORT_MIN_MUNICIPALITIES:
            if verbosity:
                self.stdout.write("  déjà importés (--reimport-territories pour relancer)")
            return
        call_command("import_territories", verbosity=verbosity)
