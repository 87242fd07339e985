"""B2B meeting scheduling (issue 4): a pure-Python module on OR-Tools CP-SAT.

Public API (see docs/scheduling.md)::

    from mediane.scheduling import Instance, Meeting, Participant, Slot, solve, check
    from mediane.scheduling import load_dzn, load_json, dump_solution

No Django import outside `apps.py` and the `schedule` management command. The names are
loaded on first use so that Django's start-up does not import OR-Tools.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Instance": "model",
    "Meeting": "model",
    "Participant": "model",
    "Slot": "model",
    "Placement": "model",
    "Solution": "model",
    "InstanceError": "model",
    "solve": "solver",
    "Progress": "solver",
    "check": "checker",
    "load_dzn": "dzn",
    "load_json": "jsonio",
    "dump_instance": "jsonio",
    "dump_solution": "jsonio",
    "load_solution": "jsonio",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
