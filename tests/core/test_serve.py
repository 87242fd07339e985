"""`mediane serve` as a person runs it: a real process, a real port, Ctrl-C stops everything."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

PROJECT = Path(__file__).resolve().parents[2]

# The servers use the test database (see `database_url`): the mark makes the session create it.
# Transactional: on PostgreSQL the servers' worker commits rows (task results, periodic runs)
# into the test database itself; the tables are emptied after each test, as after any test that
# commits.
pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> set[int]:
    """All descendants of `pid`, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces: fields after the closing parenthesis.
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def database_url(folder: Path) -> str:
    """A migrated database the server processes can open: on SQLite a file copy of the test
    database (which lives in memory, out of other processes' reach), on PostgreSQL the test
    database itself. Either way the test session has already migrated it: no second `migrate`
    (about 10 s) for this module."""
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings_dict.get("USER") or ""
        password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"
    path = folder / "mediane.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def site(tmp_path_factory, django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The environment of `mediane serve`: a temporary MEDIANE_VAR_DIR and a migrated database."""
    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc to find the child processes")
    var = tmp_path_factory.mktemp("var")
    with django_db_blocker.unblock():
        url = database_url(var)
    env = {
        **os.environ,
        "MEDIANE_VAR_DIR": str(var),
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "mediane.settings",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("PORT", None)
    return env


def start(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "mediane.cli", "serve", *args],
        env=env,
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited early:\n{process.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                return response.read()
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer in {timeout} s")


def test_serve_runs_web_and_worker_and_stops_both_on_ctrl_c(site):
    port = free_port()
    env = {**site, "PORT": str(port)}  # the port comes from PORT when --port is not given
    process = start(env)
    try:
        body = wait_for(f"http://127.0.0.1:{port}/", process)
        assert "Médiane".encode() in body
        wait_for(f"http://127.0.0.1:{port}/static/leaflet/leaflet.js", process)
        descendants = children_of(process.pid)
        commands = " ".join(
            Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
            for pid in descendants
            if alive(pid)
        )
        assert "gunicorn" in commands
        assert "worker" in commands
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, output
    assert f"http://127.0.0.1:{port}" in output
    time.sleep(0.5)
    assert not [pid for pid in descendants if alive(pid)]


def test_serve_stops_everything_when_a_child_dies(site):
    port = free_port()
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    blocker.bind(("127.0.0.1", port))
    blocker.listen()
    try:
        process = start(site, "--port", str(port), "--no-collectstatic")
        try:
            output, _ = process.communicate(timeout=90)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    finally:
        blocker.close()
    assert process.returncode != 0
    assert "s'est arrêté" in output


def test_serve_refuses_an_unmigrated_database(tmp_path):
    env = {
        **os.environ,
        "MEDIANE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "mediane.cli", "serve", "--port", str(free_port())],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "mediane migrate" in result.stderr


def test_serve_killed_leaves_no_orphan_server_nor_worker(site):
    """SIGKILL to `mediane serve` alone (no handler runs): its children get SIGTERM from the
    kernel (PR_SET_PDEATHSIG) and stop instead of running on as orphans."""
    port = free_port()
    process = start(site, "--port", str(port), "--no-collectstatic", "--workers", "1")
    descendants: set[int] = set()
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process)
        descendants = children_of(process.pid)
        commands = {
            pid: Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
            for pid in descendants
            if alive(pid)
        }
        assert any("gunicorn" in command for command in commands.values()), commands
        assert any("mediane.cli worker" in command for command in commands.values()), commands
        process.kill()
        process.wait(timeout=10)
        deadline = time.monotonic() + 15
        while any(alive(pid) for pid in descendants) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = {pid: command for pid, command in commands.items() if alive(pid)}
    finally:
        for pid in descendants:  # whatever is left, so that a failure leaves no process behind
            if alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not left, f"still running after serve was killed: {left}"
    with pytest.raises(OSError):  # nothing listens on the port any more
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
