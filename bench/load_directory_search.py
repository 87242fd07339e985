"""Load test of the directory search page with a real HTTP client, and its floor.

Starts gunicorn on 127.0.0.1 (or targets --url, which must be a local address), then sends
`/annuaire/?q=<term>&<facets>` requests from concurrent clients for a bounded time and number
of requests. Each client keeps one keep-alive connection and sends its next request as soon as
the previous answer is in. The client is `wrk` when it is installed (Debian package `wrk`: C,
event loop, about 0.05 ms of CPU per request) — the load generator shares the two cores with
the server, and 20 Python threads add their own queueing for the interpreter lock to the
latencies they measure — else httpx (one thread per client; `--client httpx` forces it):

1. a warm-up (not counted);
2. one client alone: the latency of the page without queueing;
3. `--clients` clients at once (default 20): the latency under load, throughput, errors.

Then, with the server stopped, it measures the **floor**: the bare full-text query underneath
the page for the same terms, in-process (`search_filter_queryset` count + top 20 by rank), and
prints the ratio of the page's median to the floor's.

    MEDIANE_VAR_DIR=bench/out/sqlite .venv/bin/python bench/load_directory_search.py

The database is the one of DATABASE_URL / MEDIANE_VAR_DIR (fill it with
generate_organisations.py first). Prints a summary; `--json FILE` also writes the figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

PROJECT_DIR = Path(__file__).resolve().parents[1]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Facet combinations of the requests, as a user of the directory would click them.
FACETS: list[dict[str, str]] = [
    {},
    {},
    {},
    {"country": "FR"},
    {"country": "QC"},
    {"kind": "startup"},
    {"kind": "pme", "country": "FR"},
    {"sector": "numerique"},
    {"sector": "laine-textile"},
    {"sector": "sante", "country": "QC"},
    {"medium_city": "1"},
    {"network_member": "1"},
    {"page": "2"},
    {"kind": "association", "page": "3"},
]


@dataclass
class Phase:
    """Latencies (ms) and outcome of one phase of the load test."""

    name: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    retries: int = 0
    error_samples: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    client_cpu: float = 0.0  # CPU seconds used by this load generator during the phase

    def summary(self) -> dict[str, float | int | str]:
        lat = sorted(self.latencies)
        return figures(
            self.name, self.clients, "httpx",
            requests=len(lat) + self.errors,
            errors=self.errors,
            retries=self.retries,
            ms=[percentile(lat, 50), percentile(lat, 95), percentile(lat, 99),
                statistics.fmean(lat) if lat else 0.0, lat[-1] if lat else 0.0],
            seconds=self.elapsed,
            client_cpu=self.client_cpu,
        )  # fmt: skip


def figures(
    name: str,
    clients: int,
    client: str,
    *,
    requests: int,
    errors: int,
    retries: int,
    ms: list[float],
    seconds: float,
    client_cpu: float,
) -> dict[str, float | int | str]:
    """The summary of a phase, whichever client ran it; `ms`: p50, p95, p99, mean, max."""
    ok = requests - errors
    p50, p95, p99, mean, longest = (round(value, 1) for value in ms)
    return {
        "phase": name,
        "clients": clients,
        "client": client,
        "requests": requests,
        "errors": errors,
        "retries": retries,
        "p50_ms": p50,
        "p95_ms": p95,
        "p99_ms": p99,
        "mean_ms": mean,
        "max_ms": longest,
        "throughput_rps": round(ok / seconds, 1) if seconds else 0.0,
        # The generator shares the machine's cores with the server: its CPU per request.
        "client_cpu_ms_per_request": round(client_cpu * 1000 / ok, 3) if ok else 0.0,
    }


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values (0.0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(pct / 100 * len(sorted_values)))
    return round(sorted_values[min(rank, len(sorted_values)) - 1], 1)


def request_paths(terms: list[str], count: int, seed: int) -> list[str]:
    """`count` directory URLs: a term (one in ten requests has none) with a facet combination."""
    rng = random.Random(seed)
    paths = []
    for _ in range(count):
        params = dict(rng.choice(FACETS))
        if rng.random() >= 0.1:
            params = {"q": rng.choice(terms), **params}
        paths.append("/annuaire/?" + urlencode(params))
    return paths


def run_phase(
    clients: list,
    phase: Phase,
    paths: list[str],
    duration: float,
    max_requests: int,
    start: int = 0,
):
    """Send requests from `phase.clients` threads until `duration` or `max_requests`.

    The httpx clients are created beforehand (creating one costs milliseconds of CPU) and every
    thread starts at the same time, behind a barrier.
    """
    import httpx

    counter = itertools.count()
    lock = threading.Lock()
    barrier = threading.Barrier(phase.clients + 1)
    deadline = [0.0]

    def client(index: int) -> None:
        http = clients[index]
        barrier.wait()
        while time.perf_counter() < deadline[0]:
            n = next(counter)
            if n >= max_requests:
                return
            path = paths[(start + n * 7 + index) % len(paths)]
            started = time.perf_counter()
            try:
                try:
                    response = http.get(path)
                except (httpx.ReadError, httpx.RemoteProtocolError):
                    # The server closed an idle keep-alive connection as it was reused:
                    # browsers retry an idempotent GET once; so do we, and count it.
                    with lock:
                        phase.retries += 1
                    response = http.get(path)
                ok = response.status_code == 200
                problem = f"{response.status_code} {path}"
            except httpx.HTTPError as exc:
                ok, problem = False, f"{type(exc).__name__} {path}"
            took = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    phase.latencies.append(took)
                else:
                    phase.errors += 1
                    if len(phase.error_samples) < 5:
                        phase.error_samples.append(problem)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(phase.clients)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    cpu_started = time.process_time()
    deadline[0] = started + duration
    barrier.wait()
    for thread in threads:
        thread.join()
    phase.elapsed = time.perf_counter() - started
    phase.client_cpu = time.process_time() - cpu_started
    return phase


# wrk script: every thread walks the list of paths from its own offset (as the httpx clients
# do), counts the answers other than 200, and `done` prints the figures as one JSON line.
WRK_SCRIPT = r"""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("index", #threads)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  position = tonumber(args[2]) + index * 997
  bad = 0
  samples = ""
end

function request()
  position = position + 1
  return wrk.format("GET", paths[(position % #paths) + 1])
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if #samples < 400 then samples = samples .. status .. " " end
  end
end

function done(summary, latency, requests)
  local errors = 0
  local samples_all = ""
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("bad")
    samples_all = samples_all .. thread:get("samples")
  end
  local e = summary.errors
  errors = errors + e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    '{"requests": %d, "errors": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "mean_us": %.1f, "max_us": %d, "samples": "%s"}\n',
    summary.requests, errors, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.mean, latency.max, samples_all))
end
"""


@dataclass
class WrkPhase:
    """Figures of a phase run by wrk (its own percentiles, over every answer)."""

    name: str
    clients: int
    data: dict[str, float | int | str]
    client_cpu: float

    @property
    def errors(self) -> int:
        return int(self.data["errors"])

    @property
    def error_samples(self) -> list[str]:
        text = str(self.data.get("samples", "")).split()
        return [f"status {code}" for code in text[:5]]

    def summary(self) -> dict[str, float | int | str]:
        return figures(
            self.name, self.clients, "wrk",
            requests=int(self.data["requests"]),
            errors=self.errors,
            retries=0,
            ms=[
                float(self.data[key]) / 1000
                for key in ("p50_us", "p95_us", "p99_us", "mean_us", "max_us")
            ],
            seconds=int(self.data["duration_us"]) / 1e6,
            client_cpu=self.client_cpu,
        )  # fmt: skip


def run_phase_wrk(
    base_url: str, name: str, clients: int, paths_file: Path, duration: float, start: int
) -> WrkPhase:
    """One phase with wrk: `clients` connections (closed loop, one request in flight each)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    threads = max(1, min(2, clients))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        completed = subprocess.run(
            [
                "wrk", f"-t{threads}", f"-c{clients}", f"-d{max(1, round(duration))}s",
                "--timeout", "30s", "-s", script.name, base_url + "/",
                "--", str(paths_file), str(start),
            ],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        os.unlink(script.name)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    line = [row for row in completed.stdout.splitlines() if row.startswith("{")][-1]
    return WrkPhase(name, clients, json.loads(line), cpu)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen:
    """gunicorn serving the project on 127.0.0.1:`port`, as in production."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn), "mediane.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(threads), "--log-level", "warning",
    ]  # fmt: skip
    env = {**os.environ, "DEBUG": "", "LOG_LEVEL": "WARNING"}
    return subprocess.Popen(command, cwd=PROJECT_DIR, env=env, start_new_session=True)


def wait_ready(base_url: str, server: subprocess.Popen | None, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            sys.exit(f"the server stopped (exit {server.returncode})")
        try:
            if httpx.get(base_url + "/annuaire/", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    sys.exit(f"{base_url}/annuaire/ did not answer 200 within {timeout:.0f} s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def setup_django():  # type: ignore[no-untyped-def]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediane.settings")
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.db import connection

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    call_command("collectstatic", "--noinput", verbosity=0)  # as a deployment does
    return connection


def query_terms(limit_places: int, seed: int) -> list[str]:
    """Search terms: the sector vocabulary of the generator plus names of populated places."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from generate_organisations import GENERIC_TERMS, SECTOR_TERMS

    from mediane.directory.models import Organisation

    places = list(
        Organisation.objects.exclude(territory=None)
        .values_list("territory__name", flat=True)
        .distinct()
        .order_by("territory__name")[:5000]
    )
    rng = random.Random(seed)
    places = rng.sample(places, min(limit_places, len(places)))
    words = [term for terms in SECTOR_TERMS.values() for term in terms] + GENERIC_TERMS
    return words + places + ["laine", "incubateur", "tiers-lieu", "numér", "santé connectée"]


def measure_floor(terms: list[str], repeat: int) -> list[float]:
    """Milliseconds of the bare full-text query per term: count + top 20 by rank."""
    from mediane.directory.models import Organisation
    from mediane.search.selectors import search_filter_queryset

    timings = []
    for _ in range(repeat):
        for term in terms:
            started = time.perf_counter()
            qs = search_filter_queryset(Organisation.objects.all(), query=term, kind="organisation")
            qs.count()
            list(qs.order_by("-search_rank").values_list("pk", flat=True)[:20])
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def run_httpx(args: argparse.Namespace, base_url: str, paths: list[str]) -> tuple[Phase, Phase]:
    """The three phases with httpx clients, one thread each."""
    import httpx

    clients = [httpx.Client(base_url=base_url, timeout=30.0) for _ in range(args.clients)]
    try:
        run_phase(clients, Phase("warm-up", args.clients), paths, args.warmup, args.max_requests)
        single = run_phase(
            clients, Phase("1 client", 1), paths[::-1], args.single_duration, args.max_requests
        )
        loaded = run_phase(
            clients, Phase(f"{args.clients} clients", args.clients), paths, args.duration,
            args.max_requests, start=len(paths) // 2,
        )  # fmt: skip
    finally:
        for http in clients:
            http.close()
    return single, loaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="target a running server (127.0.0.1 only)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds under load (30)")
    parser.add_argument("--single-duration", type=float, default=10.0, help="one client (10)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds not counted (5)")
    parser.add_argument("--max-requests", type=int, default=20_000, help="per phase (20000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--places", type=int, default=300, help="place names among the terms")
    parser.add_argument("--floor-repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--client", choices=("auto", "wrk", "httpx"), default="auto",
        help="load generator: wrk when installed (auto), or httpx threads",
    )  # fmt: skip
    args = parser.parse_args(argv)
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    if args.client == "wrk" and not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk, or --client httpx")

    connection = setup_django()
    from mediane.directory.models import Organisation

    organisations = Organisation.objects.count()
    terms = query_terms(args.places, args.seed)
    paths = request_paths(terms, 20_000, args.seed)
    vendor = connection.vendor
    connection.close()
    print(f"database: {vendor}, {organisations} organisations, {len(terms)} search terms")

    server = None
    if args.url:
        if urlsplit(args.url).hostname not in LOCAL_HOSTS:
            sys.exit("--url must point to 127.0.0.1 / localhost: never load a remote server")
        base_url = args.url.rstrip("/")
    else:
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = start_server(port, args.workers, args.threads)
        print(f"gunicorn: {args.workers} workers × {args.threads} threads on {base_url}")
    single: Phase | WrkPhase
    loaded: Phase | WrkPhase
    try:
        wait_ready(base_url, server)
        if use_wrk:
            with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
                listing.write("\n".join(paths) + "\n")
            paths_file = Path(listing.name)
            try:
                run_phase_wrk(base_url, "warm-up", args.clients, paths_file, args.warmup, 0)
                single = run_phase_wrk(
                    base_url, "1 client", 1, paths_file, args.single_duration, 3 * len(paths) // 4
                )
                loaded = run_phase_wrk(
                    base_url, f"{args.clients} clients", args.clients, paths_file,
                    args.duration, len(paths) // 2,
                )  # fmt: skip
            finally:
                paths_file.unlink()
        else:
            single, loaded = run_httpx(args, base_url, paths)
    finally:
        if server is not None:
            stop_server(server)

    floor = sorted(measure_floor(terms, args.floor_repeat))
    floor_p50 = percentile(floor, 50)
    results = {
        "database": vendor,
        "organisations": organisations,
        "client": "wrk" if use_wrk else "httpx",
        "workers": args.workers if server is not None else None,
        "threads": args.threads if server is not None else None,
        "single": single.summary(),
        "loaded": loaded.summary(),
        "floor": {"queries": len(floor), "p50_ms": floor_p50, "p95_ms": percentile(floor, 95)},
    }
    for key in ("single", "loaded"):
        page_p50 = results[key]["p50_ms"]
        results[key]["ratio_to_floor_p50"] = round(page_p50 / floor_p50, 1) if floor_p50 else None

    for phase in (single, loaded):
        s = phase.summary()
        print(
            f"{s['phase']:>11}: {s['requests']} requests, {s['errors']} errors, "
            f"{s['retries']} retried, "
            f"p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, p99 {s['p99_ms']} ms, "
            f"max {s['max_ms']} ms, {s['throughput_rps']} req/s, "
            f"load generator {s['client_cpu_ms_per_request']} ms CPU/request"
        )
        for sample in phase.error_samples:
            print(f"{'':>13}error: {sample}")
    floor_p95 = results["floor"]["p95_ms"]
    print(f"{'floor':>11}: {len(floor)} queries, p50 {floor_p50} ms, p95 {floor_p95} ms")
    print(
        f"{'ratio':>11}: page p50 / floor p50 = {results['single']['ratio_to_floor_p50']} "
        f"(1 client), {results['loaded']['ratio_to_floor_p50']} ({args.clients} clients)"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return 1 if loaded.errors or single.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
