"""`mediane backup FILE`: a consistent snapshot of the database and the files, while the site runs
(see `mediane.core.backup` and docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.core.backup import BackupError, write_backup


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers dans une archive .tar.gz."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            nargs="?",
            help="archive à écrire (défaut : var/backups/mediane-AAAAMMJJ-HHMMSS.tar.gz)",
        )
        parser.add_argument(
            "--no-files",
            action="store_true",
            help="sans les fichiers (médias, fichiers privés, versions du hub de données)",
        )

    def handle(self, *args: object, **options: object) -> None:
        from django.conf import settings

        if options["file"]:
            path = Path(str(options["file"]))
        else:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            path = Path(settings.VAR_DIR) / "backups" / f"mediane-{stamp}.tar.gz"
        try:
            report = write_backup(path, include_files=not options["no_files"])
        except BackupError as exc:
            raise CommandError(exc.message) from None
        except OSError as exc:
            raise CommandError(_("Écriture impossible : %s") % exc) from None
        if options["verbosity"]:
            rows = sum(t.rows for t in report.tables)
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Sauvegarde écrite : %(path)s (%(tables)d tables, %(rows)d lignes, "
                        "%(files)d fichiers, %(size)d octets de fichiers)."
                    )
                    % {
                        "path": path,
                        "tables": len(report.tables),
                        "rows": rows,
                        "files": report.files,
                        "size": report.file_bytes,
                    }
                )
            )
