"""`mediane schedule`: a good file, malformed files (French error, no traceback)."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from mediane.scheduling.jsonio import dump_instance

from .helpers import instance, slots
from .test_formats import DZN


@pytest.fixture
def summit(tmp_path):
    inst = instance(
        slots(2, 2),
        2,
        "abcd",
        [("ab", {"required": True}), ("ac", {}), ("bd", {"priority": "would"})],
    )
    path = tmp_path / "summit.json"
    path.write_text(json.dumps(dump_instance(inst)))
    return path


def test_schedule_json(summit, tmp_path, capsys):
    out = tmp_path / "out.json"
    call_command("schedule", str(summit), "--time-limit", "5", "--workers", "2", "--out", str(out))
    result = json.loads(out.read_text())
    assert result["status"] == "optimal"
    assert result["breaks"] == 0 and result["bound"] == 0
    assert {e["meeting"] for e in result["scheduled"]} == {"m1", "m2", "m3"}
    assert result["unscheduled"] == []
    assert result["breaks_per_participant"] == {"a": 0, "b": 0, "c": 0, "d": 0}
    assert "optimal, 3/3 rencontres planifiées" in capsys.readouterr().out


def test_schedule_dzn_to_stdout(tmp_path, capsys):
    path = tmp_path / "tiny.dzn"
    path.write_text(DZN)
    call_command("schedule", str(path), "--time-limit", "5", "--workers", "2", "--fairness", "1")
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["status"] == "optimal" and result["fairness"] == 1
    assert "tiny.dzn : optimal" in captured.err


def test_schedule_dzn_detected_by_content(tmp_path, capsys):
    path = tmp_path / "instance.txt"
    path.write_text(DZN)
    call_command("schedule", str(path), "--time-limit", "5", "--workers", "2")
    assert json.loads(capsys.readouterr().out)["status"] == "optimal"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ('{"slots": [', "bad.json", "JSON invalide ligne 1"),
        (
            '{"slots": [{"id": 1}], "tables": 1, "meetings": [{"id": "m"}]}',
            "bad.json",
            "au moins deux participants",
        ),
        (DZN.replace("nTables = 1;", ""), "bad.dzn", "« nTables » manque"),
        ("hello", "bad.txt", "Format non reconnu"),
    ],
)
def test_malformed_files(tmp_path, content, name, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("schedule", str(path), "--time-limit", "1")


def test_missing_file_and_bad_options(summit, tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("schedule", str(tmp_path / "nope.json"))
    with pytest.raises(CommandError, match="--time-limit"):
        call_command("schedule", str(summit), "--time-limit", "0")
    with pytest.raises(CommandError, match="--fairness"):
        call_command("schedule", str(summit), "--fairness", "-1")


def test_size_guard(summit, monkeypatch):
    from mediane.scheduling import solver

    monkeypatch.setattr(solver, "MAX_MEETINGS", 1)
    with pytest.raises(CommandError, match="Instance trop grande"):
        call_command("schedule", str(summit), "--time-limit", "1")
