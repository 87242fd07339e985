"""The B2B meeting scheduler against the published optima of the JAIR 2022 benchmark.

    .venv/bin/python bench/b2b_scheduling.py                          # every row of the CSV
    .venv/bin/python bench/b2b_scheduling.py --only original --fairness 2
    .venv/bin/python bench/b2b_scheduling.py --only prec --variant-time 60 --json out.json

Reads the 140 MiniZinc files of Bofill et al. (JAIR 2022) and `published-optima.csv` from
`--dir` (default: `../shared/bench/b2b` beside the repository; the files are not in the
repository, their licence is unstated). For each row (file, fairness d, published optimum or
`infeasible`) it runs `mediane.scheduling.solver.solve` with the time limit of the file's
family (60 s for `.original.dzn`, 300 s for the variants), checks every returned schedule
with the independent checker, and prints: file, d, published, ours, status, time, match.

`match`: `yes` = proven and equal to the published optimum (or both infeasible); `found` = the
published value reached but not proven within the limit; `NO` = anything else (with the
reason). The load average is printed before and after: the machine may be shared.
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import json
import os
import platform
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

from mediane.scheduling.checker import check  # noqa: E402
from mediane.scheduling.dzn import load_dzn  # noqa: E402
from mediane.scheduling.solver import solve  # noqa: E402


def _rows(directory: Path, only: str | None, fairness: int | None) -> list[tuple[str, int, str]]:
    with (directory / "published-optima.csv").open(newline="") as handle:
        rows = [
            (r["file"], int(r["fairness_d"]), r["published_optimum_breaks"])
            for r in csv.DictReader(handle)
        ]
    if only:
        pattern = only if any(c in only for c in "*?[") else f"*{only}*"
        rows = [r for r in rows if fnmatch.fnmatch(r[0], pattern)]
    if fairness is not None:
        rows = [r for r in rows if r[1] == fairness]
    return rows


def _match(published: str, status: str, breaks: int | None) -> str:
    if published == "infeasible":
        return "yes" if status == "infeasible" else "NO"
    if status == "infeasible":
        return "NO (infeasible)"
    if breaks is None:
        return "NO (nothing found)"
    if breaks == int(published):
        return "yes" if status == "optimal" else "found"
    if breaks < int(published):
        return "NO (below the published optimum)"
    return "NO"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=PROJECT_DIR.parent / "shared/bench/b2b")
    parser.add_argument("--only", help="file name pattern (substring or glob)")
    parser.add_argument("--fairness", type=int, help="only the rows of this d")
    parser.add_argument("--original-time", type=float, default=60.0)
    parser.add_argument("--variant-time", type=float, default=300.0)
    parser.add_argument("--workers", type=int, default=8, help="CP-SAT workers (8)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    if not (args.dir / "published-optima.csv").exists():
        print(f"no benchmark files in {args.dir}", file=sys.stderr)
        return 2
    rows = _rows(args.dir, args.only, args.fairness)
    print(
        f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {os.getloadavg()}, {len(rows)} runs"
    )
    header = (
        f"{'file':34} {'d':>2} {'published':>10} {'ours':>5} {'bound':>5} {'status':>10} "
        f"{'time s':>7}  match"
    )
    print(header)
    results = []
    started = time.monotonic()
    for name, d, published in rows:
        limit = args.original_time if ".original." in name else args.variant_time
        instance = load_dzn(args.dir / name)
        solution = solve(instance, fairness=d, time_limit=limit, workers=args.workers)
        violations = check(instance, solution, d) if solution.placements else []
        match = _match(published, solution.status, solution.breaks)
        if violations:
            match = f"NO (checker: {violations[0]})"
        print(
            f"{name:34} {d:>2} {published:>10} {str(solution.breaks):>5} "
            f"{str(solution.bound):>5} {solution.status:>10} {solution.solve_time_s:>7.1f}  "
            f"{match}",
            flush=True,
        )
        results.append(
            {
                "file": name,
                "fairness": d,
                "published": published,
                "breaks": solution.breaks,
                "bound": solution.bound,
                "status": solution.status,
                "time_s": round(solution.solve_time_s, 2),
                "time_limit_s": limit,
                "match": match,
                "violations": violations,
                "table_changes": solution.table_changes,
                "explanation": solution.explanation,
            }
        )
    counts: dict[str, int] = {}
    for result in results:
        key = result["match"].split(" ")[0]
        counts[key] = counts.get(key, 0) + 1
    print(
        f"done in {time.monotonic() - started:.0f} s, load average {os.getloadavg()}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": {
                        "node": platform.node(),
                        "cores": os.cpu_count(),
                        "python": platform.python_version(),
                    },
                    "workers": args.workers,
                    "results": results,
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
