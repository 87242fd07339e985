"""Run the directory benchmark on SQLite and on PostgreSQL and print a Markdown table.

For each database: generate the organisations and rebuild the search index (skipped when the
bench database already holds that many, unless --reindex), then run the load test. Databases
used, never the demo one:

- SQLite: `bench/out/sqlite/mediane.sqlite3` (MEDIANE_VAR_DIR=bench/out/sqlite);
- PostgreSQL: `mediane_bench` on the local server (127.0.0.1:5432, user postgres), created when
  missing; `--fresh` drops and recreates it (and the SQLite file).

    .venv/bin/python bench/run_all.py --count 5000 --duration 10     # a quick run
    .venv/bin/python bench/run_all.py                                # 200,000, 30 s under load

Figures go to bench/out/<database>.json as well; copy the table into docs/benchmarks.md with the
machine and the date.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "mediane_bench"


def machine() -> str:
    """nproc, memory and CPU model, for the report."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        memory = "?"
    return f"{os.cpu_count()} CPUs ({cpu}), {memory} RAM, Python {platform.python_version()}"


def organisation_count(env: dict[str, str]) -> int:
    """Organisations in the bench database (0 when it does not exist yet or is not migrated)."""
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mediane.settings');"
        "django.setup()\nfrom mediane.directory.models import Organisation\n"
        "try:\n    print(Organisation.objects.count())\nexcept Exception:\n    print(0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=PROJECT_DIR, capture_output=True, text=True
    )
    lines = result.stdout.strip().splitlines()
    return int(lines[-1]) if result.returncode == 0 and lines else 0


def postgres_database(fresh: bool, name: str = PG_DB) -> None:
    """Create database `name` (default `mediane_bench`) on the local server when missing (drop
    it first with --fresh)."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def run(command: list[str], env: dict[str, str]) -> int:
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, env=env, cwd=PROJECT_DIR).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    parser.add_argument("--fresh", action="store_true", help="recreate the bench databases")
    parser.add_argument(
        "--reindex", action="store_true", help="rebuild the search index even when data is there"
    )
    args = parser.parse_args(argv)

    base_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    base_env["MEDIANE_VAR_DIR"] = str(OUT_DIR / "sqlite")
    targets = {
        "sqlite": dict(base_env),
        "postgresql": {**base_env, "DATABASE_URL": f"{PG_SERVER}/{PG_DB}"},
    }
    if args.only:
        targets = {args.only: targets[args.only]}
    if args.fresh and "sqlite" in targets:
        shutil.rmtree(OUT_DIR / "sqlite", ignore_errors=True)
    if "postgresql" in targets:
        postgres_database(args.fresh)

    results = {}
    for name, env in targets.items():
        print(f"\n== {name}", flush=True)
        present = organisation_count(env)
        if present != args.count or args.reindex:
            reset = ["--reset"] if present > args.count else []
            command = [sys.executable, str(BENCH_DIR / "generate_organisations.py")]
            if run([*command, "--count", str(args.count), *reset], env):
                return 1
        out = OUT_DIR / f"{name}.json"
        status = run(
            [
                sys.executable, str(BENCH_DIR / "load_directory_search.py"),
                "--clients", str(args.clients), "--duration", str(args.duration),
                "--json", str(out),
            ],
            env,
        )  # fmt: skip
        if not out.exists():
            return status or 1
        results[name] = json.loads(out.read_text())

    print(f"\nMachine: {machine()}; date: {time.strftime('%Y-%m-%d %H:%M %Z')}\n")
    print(
        "| database | organisations | clients | requests | errors | p50 ms | p95 ms | p99 ms "
        "| req/s | floor p50 ms | page p50 / floor p50 |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in results.items():
        for key in ("single", "loaded"):
            p = r[key]
            print(
                f"| {name} | {r['organisations']:,} | {p['clients']} | {p['requests']} "
                f"| {p['errors']} | {p['p50_ms']} | {p['p95_ms']} | {p['p99_ms']} "
                f"| {p['throughput_rps']} | {r['floor']['p50_ms']} | {p['ratio_to_floor_p50']} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
