"""Mixed load test (locust, headless) of Médiane served by gunicorn, then an integrity check.

1. Prepares the bench database — SQLite `bench/out/load/sqlite/mediane.sqlite3`, or the
   PostgreSQL database `mediane_load` on the local server (127.0.0.1:5432, user postgres) —
   with `mediane demo --territories minimal` and `populate.py` (skipped when already done,
   unless `--fresh`).
2. Starts `--servers` gunicorn app servers (ports 8101, 8102…; the command `mediane serve`
   uses, `--gunicorn-workers` × `--threads`) and `--task-workers` `mediane worker` processes.
3. Runs `locust --headless -u USERS -r RATE -t DURATION` with `locustfile.py` (requests go to
   the servers in turn); `--restart-postgres-at S` restarts PostgreSQL S seconds in
   (`pg_ctlcluster <version> main restart`) and measures the outage as the load saw it.
4. Runs `check_integrity.py` (double bookings, lost updates…) and prints a Markdown row per
   run and per group of endpoints; everything also goes to `bench/out/load/<label>.json`.

    .venv/bin/python bench/load/run.py --database postgresql --users 100 --duration 90
    .venv/bin/python bench/load/run.py --database sqlite --users 100 --duration 90
    .venv/bin/python bench/load/run.py --database postgresql --servers 2 --task-workers 2
    .venv/bin/python bench/load/run.py --database postgresql --restart-postgres-at 30

Exit code: non-zero when the integrity check finds a violation or a process fails to start.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCH_DIR = HERE.parent
PROJECT_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out" / "load"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "mediane_load"
FIRST_PORT = 8101
sys.path.insert(0, str(BENCH_DIR))

from run_all import machine, postgres_database  # noqa: E402 - bench/ is not a package


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def postgres_cluster() -> tuple[str, str]:
    """(version, name) of the local cluster on port 5432, from `pg_lsclusters`."""
    lines = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
    for line in lines.splitlines():
        version, name, port, *_rest = line.split()
        if port == "5432":
            return version, name
    raise SystemExit("pg_lsclusters: no cluster on port 5432")


def step(command: list[str], env: dict[str, str]) -> None:
    print("$", " ".join(command), flush=True)
    subprocess.run(command, env=env, cwd=PROJECT_DIR, check=True)


def prepare(args: argparse.Namespace, env: dict[str, str], targets: Path) -> None:
    if args.database == "postgresql":
        postgres_database(args.fresh, PG_DB)
    elif args.fresh:
        shutil.rmtree(Path(env["MEDIANE_VAR_DIR"]), ignore_errors=True)
    Path(env["MEDIANE_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    if args.fresh or not targets.exists():
        step([sys.executable, "-m", "mediane.cli", "demo", "--territories", "minimal"], env)
        step(
            [sys.executable, str(HERE / "populate.py"), "--per-role", str(args.per_role)]
            + ["--out", str(targets)],
            env,
        )
    # Other changes may have brought migrations since the bench database was filled.
    step([sys.executable, "-m", "mediane.cli", "migrate", "--noinput", "-v", "0"], env)
    step([sys.executable, "-m", "mediane.cli", "createcachetable"], env)
    step([sys.executable, "-m", "mediane.cli", "collectstatic", "--noinput", "-v", "0"], env)


def start(args: argparse.Namespace, env: dict[str, str], logs: Path) -> list[subprocess.Popen]:
    """The app servers and task workers, as `mediane serve` starts them."""
    sys.path.insert(0, str(PROJECT_DIR))
    from mediane.demo.management.commands.serve import gunicorn_command, worker_command

    children = []
    for n in range(args.servers):
        command = gunicorn_command("127.0.0.1", FIRST_PORT + n, args.gunicorn_workers, args.threads)
        command.remove("--access-logfile")
        command.remove("-")
        children.append(_spawn(command, env, logs / f"server-{n + 1}.log"))
    for n in range(args.task_workers):
        children.append(_spawn(worker_command(), env, logs / f"worker-{n + 1}.log"))
    for n in range(args.servers):
        _wait_ready(f"http://127.0.0.1:{FIRST_PORT + n}/healthz")
    return children


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(
        command, env=env, cwd=PROJECT_DIR, stdout=handle, stderr=subprocess.STDOUT
    )


def _wait_ready(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


def stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def restart_postgres(at: float, record: dict[str, float]) -> threading.Thread:
    version, name = postgres_cluster()

    def run() -> None:
        time.sleep(at)
        record["started"] = time.time()
        subprocess.run(["pg_ctlcluster", version, name, "restart"], check=True)
        record["back"] = time.time()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summarise(samples: list[list[Any]], seconds: float) -> dict[str, Any]:
    groups: dict[str, list[list[Any]]] = {}
    for sample in samples:
        groups.setdefault(sample[1], []).append(sample)
    groups["total"] = samples

    def figures(rows: list[list[Any]]) -> dict[str, Any]:
        times = [r[2] for r in rows]
        return {
            "requests": len(rows),
            "errors": sum(1 for r in rows if r[3]),
            "rps": round(len(rows) / seconds, 1) if seconds else 0.0,
            "p50_ms": round(percentile(times, 50)),
            "p95_ms": round(percentile(times, 95)),
            "p99_ms": round(percentile(times, 99)),
            "mean_ms": round(statistics.fmean(times)) if times else 0,
        }

    return {name: figures(rows) for name, rows in sorted(groups.items())}


def outage(samples: list[list[Any]], record: dict[str, float]) -> dict[str, Any]:
    """Errors between the restart and recovery, and the time until requests succeed again."""
    if "started" not in record:
        return {}
    start = record["started"]
    after = [s for s in samples if s[0] >= start]
    failed = [s for s in after if s[3]]
    last_failure = max((s[0] for s in failed), default=start)
    return {
        "restart_seconds": round(record.get("back", start) - start, 2),
        "errors": len(failed),
        "requests_meanwhile": sum(1 for s in after if s[0] <= last_failure),
        "last_error_after_s": round(last_failure - start, 2),
        "recovered_after_back_s": round(max(0.0, last_failure - record.get("back", start)), 2),
    }


def server_errors(run_dir: Path) -> dict[str, int]:
    """Answers 5xx in the app servers' logs and tracebacks in every log of the run."""
    status = re.compile(r"mediane\.access \[\w*\] [A-Z]+ \S+ 5\d\d ")
    counts = {"http_5xx": 0, "tracebacks": 0}
    for log in run_dir.glob("*.log"):
        text = log.read_text(errors="replace")
        counts["http_5xx"] += len(status.findall(text))
        counts["tracebacks"] += text.count("Traceback (most recent call last)")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started per second")
    parser.add_argument("--duration", type=int, default=90, help="seconds of load")
    parser.add_argument("--servers", type=int, default=1, help="gunicorn app servers")
    parser.add_argument("--gunicorn-workers", type=int, default=2, help="processes per server")
    parser.add_argument("--threads", type=int, default=4, help="threads per process")
    parser.add_argument("--task-workers", type=int, default=1, help="`mediane worker` processes")
    parser.add_argument("--per-role", type=int, default=30, help="bench accounts of each kind")
    parser.add_argument("--restart-postgres-at", type=float, help="seconds into the load")
    parser.add_argument("--fresh", action="store_true", help="recreate the bench database")
    parser.add_argument("--label", help="name of the output files (default from the options)")
    args = parser.parse_args(argv)
    if args.restart_postgres_at is not None and args.database != "postgresql":
        parser.error("--restart-postgres-at needs --database postgresql")

    label = args.label or (
        f"{args.database}-u{args.users}-s{args.servers}x{args.gunicorn_workers}x{args.threads}"
        f"-w{args.task_workers}" + ("-restart" if args.restart_postgres_at is not None else "")
    )
    var_dir = OUT_DIR / args.database
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update(
        {
            "MEDIANE_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "mediane.settings",
            "PYTHONUNBUFFERED": "1",
            # Several servers share the API rate limits through the database (deployment.md).
            "CACHE_URL": "db://" if args.servers > 1 else "locmem://",
        }
    )
    if args.database == "postgresql":
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
        env["DB_CONN_MAX_AGE"] = "60"  # as recommended in deployment.md
    targets = var_dir / "targets.json"
    run_dir = OUT_DIR / label
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    prepare(args, env, targets)

    load_before = load_average()
    children = start(args, env, run_dir)
    record: dict[str, float] = {}
    try:
        if args.restart_postgres_at is not None:
            restart_postgres(args.restart_postgres_at, record)
        hosts = ",".join(f"http://127.0.0.1:{FIRST_PORT + n}" for n in range(args.servers))
        locust_env = {
            **env,
            "MEDIANE_LOAD_HOSTS": hosts,
            "MEDIANE_LOAD_TARGETS": str(targets),
            "MEDIANE_LOAD_ACKS": str(run_dir / "acks.jsonl"),
            "MEDIANE_LOAD_SAMPLES": str(run_dir / "samples.json"),
        }
        command = [
            str(Path(sys.executable).with_name("locust")),
            "-f", str(HERE / "locustfile.py"),
            "--headless", "--only-summary",
            "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.duration}s",
            "--host", hosts.split(",")[0],
            "--csv", str(run_dir / "locust"),
            "--stop-timeout", "10",
        ]  # fmt: skip
        print("$", " ".join(command), flush=True)
        started = time.time()
        subprocess.run(command, env=locust_env, cwd=PROJECT_DIR, check=False)
        elapsed = time.time() - started
        load_after = load_average()
        # A process that died during the load (e.g. a worker on a database restart).
        died = [" ".join(c.args[-3:]) for c in children if c.poll() is not None]
    finally:
        stop(children)

    check = subprocess.run(
        [sys.executable, str(HERE / "check_integrity.py"), "--targets", str(targets)]
        + ["--acks", str(run_dir / "acks.jsonl"), "--json", str(run_dir / "integrity.json")],
        env=env,
        cwd=PROJECT_DIR,
    )
    samples = json.loads((run_dir / "samples.json").read_text())
    first = min((s[0] for s in samples), default=started)
    end = max((s[0] for s in samples), default=started + elapsed)
    figures = summarise(samples, max(1.0, end - first))
    # Once every user is started (and logged in): the steady state, without the logins' burst.
    ramp_end = first + args.users / args.spawn_rate
    steady = summarise([s for s in samples if s[0] >= ramp_end], max(1.0, end - ramp_end))
    integrity = json.loads((run_dir / "integrity.json").read_text())
    result = {
        "label": label,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "machine": machine(),
        "load_average": {"before": load_before, "after": load_after},
        "options": vars(args),
        "figures": figures,
        "steady": steady,
        "outage": outage(samples, record),
        "integrity": integrity,
        "server_logs": server_errors(run_dir),
        "processes_died": died,
    }
    (OUT_DIR / f"{label}.json").write_text(json.dumps(result, indent=1, default=str))

    print(f"\nMachine: {result['machine']}; {result['date']}; load {load_before} → {load_after}\n")
    total = figures["total"]
    print(
        "| database | servers × gunicorn workers × threads | task workers | users | s "
        "| requests | req/s | p50 ms | p95 ms | p99 ms | errors | violations | load avg |"
    )
    print("| --- | --- |" + " ---: |" * 10 + " --- |")
    for name, f in (("", total), (" (after ramp-up)", steady["total"])):
        print(
            f"| {args.database}{name} | {args.servers} × {args.gunicorn_workers} × {args.threads} "
            f"| {args.task_workers} | {args.users} | {args.duration} | {f['requests']} "
            f"| {f['rps']} | {f['p50_ms']} | {f['p95_ms']} | {f['p99_ms']} "
            f"| {f['errors']} | {integrity['violations']} | {load_before} → {load_after} |"
        )
    print("\n| group | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, f in figures.items():
        if name != "total":
            print(
                f"| {name} | {f['requests']} | {f['rps']} | {f['p50_ms']} | {f['p95_ms']} "
                f"| {f['p99_ms']} | {f['errors']} |"
            )
    if result["outage"]:
        print("\nPostgreSQL restart:", json.dumps(result["outage"]))
    print("\nServer logs:", json.dumps(result["server_logs"]), "; died:", died or "none")
    print("\nIntegrity:", json.dumps(integrity["checks"], ensure_ascii=False))
    return 1 if check.returncode else 0


if __name__ == "__main__":
    raise SystemExit(main())
