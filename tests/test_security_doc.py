"""Meta-test: docs/security.md's mapping from threats and ASVS requirements to tests is honest.

Every `tests/<file>.py::<name>` it cites must be a test function of that file (read as text,
nothing imported), every test file it names must exist, and every ASVS row must cite a test or
say why not ("not covered: …", "n/a: …").
"""

from __future__ import annotations

import re
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
SECURITY_DOC = PROJECT_DIR / "docs" / "security.md"
REFERENCE = re.compile(r"\b(tests/[\w/]+\.py)::(\w+)")
ASVS_ROW = re.compile(r"^\|\s*V\d+\.\d+\.\d+")


def references(text: str) -> list[tuple[str, str]]:
    return REFERENCE.findall(text)


def test_reference_parser_finds_files_and_names():
    text = "| x | `tests/core/test_a.py::test_b`, `tests/c.py::test_d` | not tests/e.py alone |"
    assert references(text) == [("tests/core/test_a.py", "test_b"), ("tests/c.py", "test_d")]


def test_every_cited_test_exists():
    text = SECURITY_DOC.read_text(encoding="utf-8")
    cited = references(text)
    assert len(cited) > 100
    missing = []
    for path, name in sorted(set(cited)):
        file = PROJECT_DIR / path
        source = file.read_text(encoding="utf-8") if file.is_file() else ""
        if not re.search(rf"^\s*(async\s+)?def {name}\(", source, flags=re.M):
            missing.append(f"{path}::{name}")
    assert not missing, "docs/security.md cites tests that do not exist: " + ", ".join(missing)


def test_every_asvs_row_cites_a_test_or_says_why_not():
    rows = [
        line
        for line in SECURITY_DOC.read_text(encoding="utf-8").splitlines()
        if ASVS_ROW.match(line)
    ]
    assert len(rows) > 60
    unsupported = [
        row.split("|")[1].strip()
        for row in rows
        if not references(row) and "not covered" not in row and "n/a:" not in row
    ]
    assert not unsupported, "ASVS rows without a test or a reason: " + ", ".join(unsupported)


def test_every_named_test_file_exists():
    text = SECURITY_DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"\b(tests/[\w/]+\.py)\b", text))
    assert named
    missing = sorted(path for path in named if not (PROJECT_DIR / path).is_file())
    assert not missing, "docs/security.md names test files that do not exist: " + ", ".join(missing)
