"""A few files of the JAIR 2022 benchmark (kept outside the repository, licence unstated):
the solver reaches the published optimum and the checker accepts every schedule."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from mediane.scheduling.checker import check
from mediane.scheduling.dzn import load_dzn
from mediane.scheduling.solver import solve

BENCH = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "b2b"
pytestmark = pytest.mark.skipif(
    not (BENCH / "published-optima.csv").exists(),
    reason=f"benchmark files not found in {BENCH} (see docs/scheduling.md)",
)


def published(name: str, d: int) -> str:
    with (BENCH / "published-optima.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["file"] == name and int(row["fairness_d"]) == d:
                return row["published_optimum_breaks"]
    raise KeyError(name)


@pytest.mark.parametrize(
    ("name", "d"),
    [
        ("tic-12.original.dzn", 2),  # optimum 0
        ("tic-12.fixed020-Forb.dzn", 2),  # optimum 1
        ("tic-12.forb0003.dzn", 2),  # infeasible
        ("tic-12crafc.original.dzn", 0),  # optimum 0 with d = 0
    ],
)
def test_published_optimum(name, d):
    instance = load_dzn(BENCH / name)
    solution = solve(instance, fairness=d, time_limit=15, workers=2)
    expected = published(name, d)
    if expected == "infeasible":
        assert solution.status == "infeasible"
        assert solution.explanation
    else:
        assert solution.status == "optimal"
        assert solution.breaks == int(expected)
        assert check(instance, solution, d) == []
