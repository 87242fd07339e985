"""The cooperation part of the demo network, created through the real services."""

from __future__ import annotations

from typing import Any


def load_cooperation(loader: Any) -> None:
    """Loads the cooperation demo data (filled in by the cooperation app)."""
