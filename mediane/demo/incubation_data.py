"""The incubation part of the demo network, created through the real services."""

from __future__ import annotations

from typing import Any


def load_incubation(loader: Any) -> None:
    """Loads the incubation demo data (filled in by the incubation app)."""
