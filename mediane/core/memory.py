"""The garbage collector in the web processes.

Python's cyclic garbage collector stops every thread of a process while it walks the objects it
tracks. A web process keeps many long-lived objects (the modules and templates Django loaded,
the in-process indexes of the directory), and under load a full collection walked all of them
several times a minute: 75–150 ms pauses each, which every request in flight waited for (they
were most of the directory page's slowest answers, docs/benchmarks.md).

`gc.freeze()` moves the objects alive at that moment to a generation the collector never walks;
they are still freed by reference counting when dropped. The WSGI entry point (`mediane.wsgi`,
what gunicorn serves) turns this on: it freezes what the start-up loaded, and `settle()` freezes
again after an in-process index is built. Elsewhere (tests, commands, the task worker) `settle()`
does nothing.
"""

from __future__ import annotations

import gc
import threading

_enabled = False
_lock = threading.Lock()


def enable_for_web() -> None:
    """Called once by the WSGI entry point, after Django is set up."""
    global _enabled
    _enabled = True
    settle()


def settle() -> None:
    """Freeze the objects alive now (after a first collection, so that no garbage is frozen)."""
    if not _enabled:
        return
    with _lock:
        gc.collect()
        gc.freeze()


def enabled() -> bool:
    return _enabled
