"""`mediane dataset validate FILE --schema REF` and `mediane dataset scan FILE`: the data hub's
validation and personal-data scan from the command line, with the code of the web upload
(`datahub.processing.run_pipeline`). Exit status 0 when valid (or nothing blocks), 1 otherwise."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Valider un fichier contre un schéma, ou y chercher des données personnelles."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="valider contre un Table Schema")
        validate.add_argument("file", help="CSV, XLSX ou ODS")
        validate.add_argument(
            "--schema",
            required=True,
            help="schéma fourni (scdl/subventions@2.1.1, scdl/deliberations) ou schema.json",
        )
        validate.add_argument("--format", choices=["json", "text"], default="text")
        scan = sub.add_parser("scan", help="chercher des données personnelles")
        scan.add_argument("file", help="CSV, XLSX ou ODS")
        scan.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        from mediane.datahub import tabular, validation
        from mediane.datahub.processing import run_pipeline

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        schema: dict[str, Any] | None = None
        if options["action"] == "validate":
            ref = options["schema"]
            try:
                loaded = validation.load_schema(Path(ref) if Path(ref).is_file() else ref)
            except Exception as error:
                raise CommandError(getattr(error, "message", str(error))) from error
            schema = loaded.descriptor
        try:
            facts = run_pipeline(path, filename=path.name, directory=None, schema=schema)
        except tabular.TabularError as error:
            if options["format"] == "json":
                self._json({"ok": False, "error": {"code": error.code, "message": error.message}})
                sys.exit(1)
            raise CommandError(error.message) from error
        if options["action"] == "validate":
            report = facts["validation"] or {}
            if options["format"] == "json":
                self._json({"file": path.name, "schema": options["schema"], **report})
            else:
                self._text_validation(report)
            if not report.get("valid"):
                sys.exit(1)
        else:
            scan = facts["scan"]
            if options["format"] == "json":
                self._json({"file": path.name, **scan})
            else:
                self._text_scan(scan)
            if facts["privacy"] == "block":
                sys.exit(1)

    def _json(self, data: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))

    def _text_validation(self, report: dict[str, Any]) -> None:
        if report.get("valid"):
            self.stdout.write(f"Conforme : {report.get('rows_checked', '?')} lignes.")
            return
        for line in report.get("summary", []) or []:
            self.stdout.write(f"- {line}")
        if not report.get("summary"):
            for error in report.get("errors", [])[:50]:
                self.stdout.write(f"- ligne {error.get('row')}: {error.get('message')}")

    def _text_scan(self, scan: dict[str, Any]) -> None:
        for column in scan.get("columns", []):
            label = column.get("label") or column.get("column")
            explanation = column.get("explanation") or ""
            self.stdout.write(f"{column.get('verdict', '?'):5}  {label}  {explanation}")
