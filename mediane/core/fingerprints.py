"""Cheap version queries of in-process caches of the database, read at most every few seconds.

An in-process cache (the directory's facet index, the market's offer index) is valid for one
*fingerprint* of the tables it copies: a query of a few aggregates that changes whenever they
change. Reading it on every request costs tens of milliseconds on PostgreSQL at 200,000 rows, so
a `Fingerprints` keeps it per database for `seconds`; writes made through the ORM in this
process drop it at once (`forget`, from `post_save`/`post_delete` receivers) and again when
their transaction commits, so a writer sees its change immediately and another process within
that delay.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction


def database_key() -> str:
    """The current database (alias and name): caches of one database are never used for
    another (the tests' databases, several connections)."""
    return connection.alias + ":" + str(connection.settings_dict.get("NAME"))


class Fingerprints:
    """The last value of a fingerprint query per database, with the time it was read."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[float, Any]] = {}

    def get(self, read: Callable[[], Any], seconds: float) -> Any:
        """`read()`'s value for the current database, read again when older than `seconds`
        or after `forget`."""
        key = database_key()
        cached = self._values.get(key)
        now = time.monotonic()
        if cached is not None and now - cached[0] < seconds:
            return cached[1]
        value = read()
        self._values[key] = (now, value)
        return value

    def forget(self) -> None:
        """A write happened: drop the values now, and again once it commits, so that a read
        between the write and its commit cannot keep the old version."""
        self._values.clear()
        if connection.in_atomic_block:
            transaction.on_commit(self._values.clear)

    def clear(self) -> None:
        self._values.clear()
