"""`mediane reindex [--kind KIND ...]`: rebuild the search index from the registered indexers."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from mediane.search.services import registered_kinds, reindex


class Command(BaseCommand):
    help = "Reconstruit l'index de recherche (tous les types, ou ceux donnés par --kind)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--kind",
            action="append",
            dest="kinds",
            metavar="KIND",
            help="Type à reconstruire (organisation, expert, territory…) ; option répétable.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Sans barre de progression.")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        known = registered_kinds()
        kinds = options["kinds"] or known
        unknown = sorted(set(kinds) - set(known))
        if unknown:
            raise CommandError(
                _("Type inconnu : %(unknown)s. Types disponibles : %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(known) or _("aucun")}
            )
        quiet = options["no_progress"] or options["verbosity"] == 0
        with tqdm(unit=" doc", desc="Indexation", disable=quiet, file=self.stderr) as bar:
            count = reindex(kinds, progress=bar.update)
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(count)d documents indexés (%(kinds)s).")
                    % {"count": count, "kinds": ", ".join(kinds) or _("aucun type")}
                )
            )
