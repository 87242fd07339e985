"""`mediane import-organisations FILE`: import organisations from CSV or XLSX (see docs/cli.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from mediane.directory.importer import ImportFileError, import_organisations


class Command(BaseCommand):
    help = (
        "Importe des organisations depuis un fichier CSV ou XLSX. Rien n'est écrit si une ligne "
        "est invalide, sauf avec --valid-only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="fichier .csv ou .xlsx")
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help="écrire les lignes valides et signaler les autres",
        )
        parser.add_argument("--dry-run", action="store_true", help="valider sans rien écrire")
        parser.add_argument("--report", help="écrire le rapport (ligne, colonne, message) en CSV")
        parser.add_argument("--max-issues", type=int, default=50, help="problèmes affichés")

    def handle(self, *args: Any, **options: Any) -> None:
        with tqdm(desc="Écriture", unit=" org.", disable=options["verbosity"] < 1) as bar:
            try:
                report = import_organisations(
                    options["file"],
                    valid_only=options["valid_only"],
                    dry_run=options["dry_run"],
                    progress=bar.update,
                )
            except ImportFileError as error:
                raise CommandError(error.message) from error
        if options["report"]:
            with open(options["report"], "w", newline="", encoding="utf-8") as handle:
                report.write_csv(handle)
        for issue in report.issues[: options["max_issues"]]:
            where = f"ligne {issue.row}" + (f", colonne {issue.column}" if issue.column else "")
            self.stderr.write(f"[{issue.level}] {where} : {issue.message}")
        if len(report.issues) > options["max_issues"]:
            self.stderr.write(f"… {len(report.issues) - options['max_issues']} autres problèmes.")
        self.stdout.write(
            f"{report.rows} lignes lues, {report.valid} valides, {report.rejected_rows} rejetées, "
            f"{report.written} organisations écrites" + (" (simulation)" if report.dry_run else "")
        )
        if report.errors:
            if not options["valid_only"] and not report.dry_run:
                raise CommandError("Import annulé : aucune organisation écrite (voir les erreurs).")
            raise CommandError(f"{report.rejected_rows} lignes en erreur.")
