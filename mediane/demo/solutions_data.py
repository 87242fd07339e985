"""The solutions part of the demo network, created through the real services."""

from __future__ import annotations

from typing import Any


def load_solutions(loader: Any) -> None:
    """Loads the solutions demo data (filled in by the solutions app)."""
