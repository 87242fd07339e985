"""The diagnostic part of the demo network, created through the real services."""

from __future__ import annotations

from typing import Any


def load_diagnostic(loader: Any) -> None:
    """Loads the diagnostic demo data (filled in by the diagnostic app)."""
