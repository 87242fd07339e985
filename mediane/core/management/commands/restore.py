"""`mediane restore FILE [--force]`: bring back a backup of `mediane backup`, all or nothing
(see `mediane.core.backup` and docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from mediane.core.backup import BackupError, TableReport, read_manifest, restore_backup


class Command(BaseCommand):
    help = "Restaure une sauvegarde de `mediane backup` (base de données et fichiers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="archive écrite par `mediane backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="remplacer le contenu d'une base qui n'est pas vide",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="vérifier l'archive (sommes de contrôle, lignes) sans rien restaurer",
        )

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        verbose = int(str(options["verbosity"])) >= 1
        try:
            if options["check"]:
                manifest = read_manifest(path)
                if verbose:
                    self.stdout.write(
                        self.style.SUCCESS(
                            _(
                                "Archive valide : Médiane %(version)s, %(vendor)s, du %(date)s ; "
                                "%(tables)d tables, %(rows)d lignes, %(files)d fichiers."
                            )
                            % {
                                "version": manifest["mediane_version"],
                                "vendor": manifest["vendor"],
                                "date": manifest["created_at"],
                                "tables": len(manifest["tables"]),
                                "rows": sum(t["rows"] for t in manifest["tables"]),
                                "files": len(manifest["files"]),
                            }
                        )
                    )
                return

            def progress(table: TableReport) -> None:
                if int(str(options["verbosity"])) >= 2 or (verbose and table.rows):
                    self.stdout.write(
                        _("  %(table)s : %(rows)d lignes, somme de contrôle vérifiée")
                        % {"table": table.table, "rows": table.rows}
                    )

            report = restore_backup(path, force=bool(options["force"]), progress=progress)
        except BackupError as exc:
            raise CommandError(exc.message) from None
        if verbose:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Restauration terminée : %(tables)d tables, %(rows)d lignes, "
                        "%(files)d fichiers."
                    )
                    % {
                        "tables": len(report.tables),
                        "rows": sum(t.rows for t in report.tables),
                        "files": report.files,
                    }
                )
            )
