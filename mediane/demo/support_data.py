"""The support part of the demo network, created through the real services."""

from __future__ import annotations

from typing import Any


def load_support(loader: Any) -> None:
    """Loads the support demo data (filled in by the support app)."""
