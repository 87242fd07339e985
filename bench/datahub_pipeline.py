"""The data hub's processing of an uploaded file, side by side with frictionless' validation.

    .venv/bin/python bench/datahub_pipeline.py                        # 1,000,000 rows, 3 runs
    .venv/bin/python bench/datahub_pipeline.py --rows 100000 --repeat 1 --json /tmp/dh.json
    .venv/bin/python bench/datahub_pipeline.py --rows 100000 --profile ours   # cProfile, top 40

(cProfile sees the main thread only: the store's writer thread and DuckDB are not in it.)

The file is `bench/out/subventions-<rows>.csv` (made by `bench/generate_dataset.py` when
missing) or `--file`; the schema is the shipped SCDL `scdl/subventions@2.1.1`. Each measure runs
in its own child process (a fresh interpreter: peak memory is per measure), `--repeat` times
(3 by default, interleaved), and the median is reported:

- `upload`: what `services.version_upload` does with the bytes once the request is read: the
  private storage's `save()` (Django's `FileSystemStorage`, a streamed copy in 64 KB chunks) into
  a temporary storage directory. A real upload first streams the request body to a temporary
  file (Django's upload handler, network speed), which `save()` then moves instead of copying:
  the copy timed here is the upper bound.
- `ours`: `processing.run_pipeline(path, directory=..., schema=...)`, what the worker runs on
  the uploaded file: read once, validate (frictionless semantics + the SCDL custom checks, all
  errors counted, 1,000 kept), scan for personal data and store (normalised CSV, then Parquet
  through DuckDB, in a thread).
- `ours-no-store`: the same with `directory=None` (read + validate + scan), to show the split.
- `frictionless`: `frictionless.validate(path, schema=..., limit_errors=0)`: the whole file is
  read and every error kept (frictionless holds them all in memory).
- `frictionless-default`: the same with frictionless' default `limit_errors=1000`: it stops at the
  1,000th error, so on a file with errors spread over it, it reads only the first rows.

Each child sets up what it needs before the clock starts (imports, Django for ours and upload,
with `MEDIANE_VAR_DIR` in a temporary directory, never the developer's `var/`, and the upload
limit lifted: `MEDIANE_DATAHUB_MAX_UPLOAD_BYTES`), then reports the wall time and the CPU time
(user + system, all threads, DuckDB's included) of the measured call, the peak resident memory
of the whole process (`VmHWM`, imports included) and its resident memory before the call. The
parent reads the child's own rusage through `os.wait4` as a cross-check of the peak (`ru_maxrss`).
Output: a Markdown table on stdout with the machine (nproc, CPU model, load average before and
after), the date and the commit; `--json OUT` writes everything.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
SCHEMA = PROJECT_DIR / "mediane/datahub/schemas/scdl/subventions/2.1.1/schema.json"
MEASURES = ("upload", "ours", "ours-no-store", "frictionless", "frictionless-default")
DJANGO_MEASURES = ("upload", "ours", "ours-no-store")
AIM_MEMORY_MB = 500
AIM_RATIO = 1.5


# --- In the child ---------------------------------------------------------------------------


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediane.settings")
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()


def _prepare(measure: str, path: Path, work: Path) -> Any:
    """Imports and set-up, outside the clock; returns the function to time."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    if measure in DJANGO_MEASURES:
        _setup_django()
    if measure == "upload":
        from django.core.files import File
        from django.core.files.storage import storages

        storage = storages["private"]

        def upload() -> dict[str, Any]:
            with path.open("rb") as handle:
                name = storage.save(f"datahub/1/1/{path.name}", File(handle))
            return {"bytes": storage.size(name)}

        return upload
    if measure in ("ours", "ours-no-store"):
        from mediane.datahub import privacy, processing, store, tabular, validation  # noqa: F401

        directory = work / "version" if measure == "ours" else None

        def ours() -> dict[str, Any]:
            facts = processing.run_pipeline(
                path, filename=path.name, directory=directory, schema=schema
            )
            report = facts["validation"]
            result = {
                "rows": report["rows_checked"],
                "errors": report["error_count"],
                "errors_by_code": report["totals"]["by_code"],
                "privacy": facts["privacy"],
                "blocking_columns": [
                    c["column"] for c in facts["scan"]["columns"] if c.get("verdict") == "block"
                ],
            }
            if directory is not None:
                stored = facts["stored"]
                result["stored_csv_bytes"] = stored.csv_bytes
                result["stored_parquet_bytes"] = stored.parquet_bytes
            return result

        return ours
    if measure in ("frictionless", "frictionless-default"):
        import frictionless

        limit = 0 if measure == "frictionless" else 1000
        descriptor = frictionless.Schema.from_descriptor(schema)

        def validate() -> dict[str, Any]:
            with frictionless.system.use_context(trusted=True):
                report = frictionless.validate(str(path), schema=descriptor, limit_errors=limit)
            task = report.tasks[0]
            counts: dict[str, int] = {}
            last_row = 0
            for error in task.errors:
                counts[error.type] = counts.get(error.type, 0) + 1
                last_row = max(last_row, getattr(error, "row_number", None) or 0)
            warnings = list(report.warnings) + list(task.warnings)
            return {
                # Rows read: all of them, or up to the row of the last error kept when
                # frictionless stopped at its error limit.
                "rows": last_row - 1 if warnings else task.stats.get("rows"),
                "errors": len(task.errors),
                "errors_by_code": counts,
                "warnings": warnings,
            }

        return validate
    raise SystemExit(f"unknown measure {measure!r}")


def child(measure: str, path: Path, profile: bool) -> int:
    with tempfile.TemporaryDirectory(prefix="mediane-bench-") as tmp:
        work = Path(tmp)
        os.environ["MEDIANE_VAR_DIR"] = str(work / "var")
        os.environ["MEDIANE_DATAHUB_MAX_UPLOAD_BYTES"] = str(10**12)
        run = _prepare(measure, path, work)
        rss_before = _status_kb("VmRSS")
        cpu0, wall0 = _cpu(), time.perf_counter()
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(run)
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("tottime").print_stats(40)
            stats.sort_stats("cumulative").print_stats(30)
        else:
            result = run()
        wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0
        out = {
            "measure": measure,
            "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "peak_rss_mb": round(_status_kb("VmHWM") / 1024, 1),
            "rss_before_mb": round(rss_before / 1024, 1),
            "result": result,
        }
    print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)
    return 0


# --- In the parent --------------------------------------------------------------------------


def run_child(measure: str, path: Path, profile: bool = False) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", measure, "--file", str(path)]
    if profile:
        command.append("--profile-child")
    private = {"DATABASE_URL", "SECRET_KEY", "MEDIANE_PRIVATE_MEDIA_ROOT", "MEDIANE_DATAHUB_ROOT"}
    env = {k: v for k, v in os.environ.items() if k not in private}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    lines = process.stdout.read().splitlines()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    found = [line for line in lines if line.startswith("RESULT ")]
    if process.returncode != 0 or not found:
        print("\n".join(lines), file=sys.stderr)
        raise SystemExit(f"{measure}: the child failed (exit {process.returncode})")
    out: dict[str, Any] = json.loads(found[-1][len("RESULT ") :])
    out["process_s"] = round(elapsed, 3)  # the child's whole life: interpreter, imports, clean-up
    out["process_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 3)
    out["maxrss_mb"] = round(usage.ru_maxrss / 1024, 1)  # kB on Linux
    return out


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    memory = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    import duckdb
    import frictionless

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "frictionless": frictionless.__version__,
        "duckdb": duckdb.__version__,
    }


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def commit() -> str:
    """The short commit, with "+changes" when the data hub's code differs from it."""

    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True)
        return result.stdout.strip()

    changed = git("status", "--porcelain", "--", "mediane/datahub")
    return (git("rev-parse", "--short", "HEAD") or "?") + ("+changes" if changed else "")


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("wall_s", "cpu_s", "peak_rss_mb", "rss_before_mb", "maxrss_mb", "process_s")
    out = {key: round(statistics.median(run[key] for run in runs), 2) for key in keys}
    out["wall_all"] = [run["wall_s"] for run in runs]
    out["result"] = runs[-1]["result"]
    return out


def table(summary: dict[str, dict[str, Any]], reference: str) -> list[str]:
    base = summary.get(reference)
    lines = [
        "| measure | wall s (median) | wall s (runs) | CPU s | peak RSS MB | RSS before MB "
        f"| wall / {reference} | rows read | errors |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, m in summary.items():
        ratio = f"{m['wall_s'] / base['wall_s']:.2f}" if base and name != "upload" else ""
        result = m["result"]
        runs = ", ".join(f"{w:.1f}" for w in m["wall_all"])
        lines.append(
            f"| {name} | {m['wall_s']:.1f} | {runs} | {m['cpu_s']:.1f} | {m['peak_rss_mb']:.0f} "
            f"| {m['rss_before_mb']:.0f} | {ratio} | {result.get('rows', '')} "
            f"| {result.get('errors', '')} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, help="default: bench/out/subventions-<rows>.csv")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the generated file")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--only", nargs="+", choices=MEASURES, default=list(MEASURES), help="measures to run"
    )
    parser.add_argument("--json", type=Path, help="write the figures there too")
    parser.add_argument(
        "--profile", choices=MEASURES, help="run this measure once under cProfile (stderr)"
    )
    parser.add_argument("--child", choices=MEASURES, help=argparse.SUPPRESS)
    parser.add_argument("--profile-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        return child(args.child, args.file, args.profile_child)

    path = args.file
    if path is None:
        sys.path.insert(0, str(BENCH_DIR))
        from generate_dataset import default_path, generate

        path = default_path(args.rows)
        if not path.exists():
            print(f"generating {path}…", file=sys.stderr, flush=True)
            generate(path, rows=args.rows)
    path = path.resolve()
    if args.profile:
        out = run_child(args.profile, path, profile=True)
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0

    load_before = load_average()
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in args.only}
    for attempt in range(args.repeat):
        for name in args.only:
            out = run_child(name, path)
            runs[name].append(out)
            print(
                f"[{attempt + 1}/{args.repeat}] {name}: {out['wall_s']:.1f} s, "
                f"CPU {out['cpu_s']:.1f} s, peak {out['peak_rss_mb']:.0f} MB",
                file=sys.stderr,
                flush=True,
            )
    load_after = load_average()
    summary = {name: median_of(r) for name, r in runs.items()}
    facts: dict[str, Any] = {
        "date": started,
        "commit": commit(),
        "machine": machine(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "file": {"name": path.name, "bytes": path.stat().st_size},
        "repeat": args.repeat,
        "summary": summary,
        "runs": runs,
    }
    aims: dict[str, Any] = {}
    if "ours" in summary:
        ours = summary["ours"]
        aims["memory_ok"] = ours["peak_rss_mb"] < AIM_MEMORY_MB
        if "frictionless" in summary:
            ratio = ours["wall_s"] / summary["frictionless"]["wall_s"]
            aims["ratio_full"] = round(ratio, 2)
            aims["time_ok"] = ratio <= AIM_RATIO
        if "upload" in summary and "frictionless" in summary:
            total = ours["wall_s"] + summary["upload"]["wall_s"]
            aims["ratio_upload_and_ours"] = round(total / summary["frictionless"]["wall_s"], 2)
    facts["aims"] = aims

    m = facts["machine"]
    print(
        f"\nFile: {path.name}, {facts['file']['bytes'] / 1e6:.1f} MB. Machine: {m['nproc']} CPUs "
        f"({m['cpu']}), {m['memory']}, Python {m['python']}, frictionless {m['frictionless']}, "
        f"DuckDB {m['duckdb']}. Date: {started}; commit {facts['commit']}; load average "
        f"{load_before} before, {load_after} after; median of {args.repeat}.\n"
    )
    reference = "frictionless" if "frictionless" in summary else args.only[0]
    print("\n".join(table(summary, reference)))
    if aims:
        print(f"\nAims: {json.dumps(aims)}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(facts, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
