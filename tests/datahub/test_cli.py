"""`mediane dataset validate|scan`: machine-readable reports, exit statuses, clear errors."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from tests.datahub.factories import PEOPLE_CSV, SCDL

needs_scdl = pytest.mark.skipif(not SCDL.exists(), reason=f"SCDL examples not found in {SCDL}")


def run(capsys, *args: str) -> tuple[int, dict]:
    code = 0
    try:
        call_command("dataset", *args)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out = capsys.readouterr().out
    return code, json.loads(out)


@needs_scdl
def test_validate_the_shipped_examples(capsys):
    folder = SCDL / "subventions-2.1.1" / "exemples"
    code, report = run(
        capsys,
        "validate",
        str(folder / "exemple_valide.csv"),
        "--schema",
        "scdl/subventions@2.1.1",
        "--format",
        "json",
    )
    assert code == 0 and report["valid"] and report["error_count"] == 0
    code, report = run(
        capsys,
        "validate",
        str(folder / "exemple_invalide_erreurs_cellules.csv"),
        "--schema",
        "scdl/subventions@2.1.1",
        "--format",
        "json",
    )
    assert code == 1 and not report["valid"]
    assert report["error_count"] >= 16 and report["summary"]
    assert {e["code"] for e in report["errors"]} >= {"type-error", "constraint-error"}


def test_scan_reports_columns_and_blocks(tmp_path, capsys):
    path = tmp_path / "benevoles.csv"
    path.write_text(PEOPLE_CSV, encoding="utf-8")
    code, report = run(capsys, "scan", str(path), "--format", "json")
    assert code == 1 and report["verdict"] == "block"
    verdicts = {c["column"]: c["verdict"] for c in report["columns"]}
    assert verdicts["courriel"] == "block" and verdicts["montant"] == "ok"
    assert "julie.martin@example.fr" not in json.dumps(report)


def test_unreadable_files_and_unknown_schemas(tmp_path, capsys):
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    code, report = run(capsys, "scan", str(empty), "--format", "json")
    assert code == 1 and report["error"]["code"] == "empty"
    with pytest.raises(CommandError):
        call_command("dataset", "scan", str(tmp_path / "absent.csv"))
    with pytest.raises(CommandError):
        call_command("dataset", "validate", str(empty), "--schema", "scdl/inconnu")
