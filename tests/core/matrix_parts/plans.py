"""Permission-matrix rows of this app: one object per key, built by `objects(o, other, users)`."""

from __future__ import annotations

from typing import Any

EXPECTED: dict[str, tuple[type, dict[str, frozenset[str]]]] = {}


def objects(o: Any, other: Any, users: dict[str, Any]) -> dict[str, Any]:
    return {}
