"""`mediane worker` outlives a database restart: db_worker stops on the lost connection, the
command waits (1 s, 2 s, 4 s… up to 30 s) and starts it again, instead of exiting — which would
also stop the whole site under `mediane serve` (found by the load test's PostgreSQL restart)."""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError

from mediane.demo.management.commands import worker


@pytest.fixture
def waits(monkeypatch):  # type: ignore[no-untyped-def]
    recorded: list[float] = []
    monkeypatch.setattr(worker.time, "sleep", recorded.append)
    return recorded


def fake_db_worker(monkeypatch, outcomes):  # type: ignore[no-untyped-def]
    calls: list[dict] = []

    def call_command(name, **options):  # type: ignore[no-untyped-def]
        assert name == "db_worker"
        calls.append(options)
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome

    monkeypatch.setattr(worker, "call_command", call_command)
    return calls


def test_the_worker_waits_for_the_database_and_starts_again(monkeypatch, waits):
    down = OperationalError("FATAL:  the database system is shutting down")
    outcomes = [down, InterfaceError("connection already closed"), down, down, down, down, None]
    calls = fake_db_worker(monkeypatch, outcomes)
    worker.run_until_stopped({"interval": 1.0, "worker_id": "w"})
    assert len(calls) == 7 and all(c == {"interval": 1.0, "worker_id": "w"} for c in calls)
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0]


def test_a_normal_stop_is_not_retried(monkeypatch, waits):
    calls = fake_db_worker(monkeypatch, [None])
    worker.run_until_stopped({})
    assert len(calls) == 1 and waits == []


def test_other_errors_still_stop_the_worker(monkeypatch, waits):
    fake_db_worker(monkeypatch, [ValueError("a bug")])
    with pytest.raises(ValueError):
        worker.run_until_stopped({})
    assert waits == []


def test_a_stop_signal_during_the_wait_stops_it(monkeypatch):
    calls = fake_db_worker(monkeypatch, [OperationalError("server closed the connection")])

    def interrupted(_seconds):  # type: ignore[no-untyped-def]
        raise SystemExit(0)  # what db_worker's signal handler does

    monkeypatch.setattr(worker.time, "sleep", interrupted)
    with pytest.raises(SystemExit):
        worker.run_until_stopped({})
    assert len(calls) == 1
