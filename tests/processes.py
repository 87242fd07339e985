"""Helpers for tests that start real processes (`mediane serve`, workers): ports, the process
tree read from /proc, and a database those processes can open."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

from django.db import connection


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, read from /proc, nearest first."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces: fields after the closing parenthesis.
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: list[int] = []
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - set(found)
        found += sorted(frontier)
    return found


def alive(pid: int) -> bool:
    """Running (a zombie is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def session_database_url(folder: Path) -> str:
    """A URL of the session's test database that other processes can open: on PostgreSQL the
    test database itself; on SQLite, where it lives in memory out of other processes' reach, a
    copy of it (schema and committed rows) in `folder`/mediane.sqlite3. Either way already
    migrated. Needs database access (a `django_db` test or `django_db_blocker.unblock()`)."""
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings_dict.get("USER") or ""
        password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"
    path = folder / "mediane.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"
