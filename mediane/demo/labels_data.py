"""The labels part of the demo network, created through the real services."""

from __future__ import annotations

from typing import Any


def load_labels(loader: Any) -> None:
    """Loads the labels demo data (filled in by the labels app)."""
