"""`mediane import-territories`: load the reference territories of France and Québec."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from mediane.territories.importer import ImportFileError, import_territories
from mediane.territories.indexing import reindex_territories


class Command(BaseCommand):
    help = (
        "Importe les territoires de référence (communes, EPCI, départements, régions de France ; "
        "municipalités, MRC et régions administratives du Québec). Idempotent."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="Dossier des fichiers CSV (par défaut : REFERENCE_DATA_DIR).",
        )
        parser.add_argument(
            "--only",
            default="",
            help="Liste de municipalités à importer seules, ex. FR:65286,QC:36033 "
            "(avec leurs intercommunalités ; régions et départements toujours complets).",
        )
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="Ne pas mettre à jour l'index de recherche.",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        only = _parse_only(options["only"])
        started = time.monotonic()
        show = options["verbosity"] > 0
        with tqdm(desc="Territoires", unit=" lignes", disable=not show, file=self.stderr) as bar:

            def on_total(total: int) -> None:
                bar.total = total
                bar.refresh()

            try:
                stats = import_territories(
                    data_dir=options["data_dir"], only=only, progress=bar.update, on_total=on_total
                )
            except ImportFileError as exc:
                raise CommandError(str(exc)) from exc
        indexed = 0
        if not options["no_index"] and stats.changed:
            indexed = reindex_territories()
        if show:
            for line in stats.lines():
                self.stdout.write(line)
            if indexed:
                self.stdout.write(_("Index de recherche : %(n)s territoires.") % {"n": indexed})
            elapsed = time.monotonic() - started
            self.stdout.write(
                self.style.SUCCESS(_("Import terminé en %(s).1f s.") % {"s": elapsed})
            )


def _parse_only(value: str) -> set[tuple[str, str]] | None:
    if not value.strip():
        return None
    out: set[tuple[str, str]] = set()
    for item in value.split(","):
        country, _sep, code = item.strip().partition(":")
        if country.upper() not in {"FR", "QC"} or not code:
            raise CommandError(
                _("Valeur --only invalide : « %(item)s » (attendu PAYS:CODE, ex. FR:65286).")
                % {"item": item}
            )
        out.add((country.upper(), code.strip()))
    return out
