"""The plans part of the demo network, created through the real services."""

from __future__ import annotations

from typing import Any


def load_plans(loader: Any) -> None:
    """Loads the plans demo data (filled in by the plans app)."""
