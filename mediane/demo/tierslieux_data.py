"""The tierslieux part of the demo network, created through the real services."""

from __future__ import annotations

from typing import Any


def load_tierslieux(loader: Any) -> None:
    """Loads the tierslieux demo data (filled in by the tierslieux app)."""
