"""`mediane serve` as a person runs it: a real process, a real port, Ctrl-C stops everything."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.processes import alive, descendants, free_port, session_database_url

PROJECT = Path(__file__).resolve().parents[2]

# The servers use the test database (tests/processes.py): the mark makes the session create it.
# Transactional: on PostgreSQL the servers' worker commits rows (task results, periodic runs)
# into the test database itself; the tables are emptied after each test, as after any test that
# commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory, django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The environment of `mediane serve`: a temporary MEDIANE_VAR_DIR and a migrated database."""
    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc to find the child processes")
    var = tmp_path_factory.mktemp("var")
    with django_db_blocker.unblock():
        url = session_database_url(var)
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
        children = set(descendants(process.pid))
        commands = " ".join(
            Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
            for pid in children
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
    assert not [pid for pid in children if alive(pid)]


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
    children: set[int] = set()
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process)
        children = set(descendants(process.pid))
        commands = {
            pid: Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
            for pid in children
            if alive(pid)
        }
        assert any("gunicorn" in command for command in commands.values()), commands
        assert any("mediane.cli worker" in command for command in commands.values()), commands
        process.kill()
        process.wait(timeout=10)
        deadline = time.monotonic() + 15
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = {pid: command for pid, command in commands.items() if alive(pid)}
    finally:
        for pid in children:  # whatever is left, so that a failure leaves no process behind
            if alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not left, f"still running after serve was killed: {left}"
    with pytest.raises(OSError):  # nothing listens on the port any more
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
