"""The web processes keep their long-lived objects out of the garbage collector's walks."""

import gc
import subprocess
import sys

import pytest

from mediane.core import memory


@pytest.fixture
def _web(monkeypatch):
    monkeypatch.setattr(memory, "_enabled", False)
    yield
    gc.unfreeze()


def test_settle_does_nothing_outside_the_web_processes(_web):
    before = gc.get_freeze_count()
    memory.settle()
    assert gc.get_freeze_count() == before


def test_enabled_by_the_web_entry_point_it_freezes_what_is_alive(_web):
    memory.enable_for_web()
    assert memory.enabled()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    kept = [[n] for n in range(1000)]  # long-lived objects made after the start
    memory.settle()
    assert gc.get_freeze_count() >= frozen + len(kept)


def test_the_wsgi_module_turns_it_on():
    code = "import gc, mediane.wsgi; print(mediane.core.memory.enabled(), gc.get_freeze_count())"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    assert out[0] == "True" and int(out[1]) > 10_000
