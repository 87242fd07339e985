"""Loading `mediane demo` in tests: `run_demo` (the minimal territories, without the slow summit
schedule) and the module-scoped `demo_loaded` fixture of tests/conftest.py, which loads it once
for a test module inside a transaction rolled back after its last test.

A module skips some steps of the loader by overriding the `demo_skipped_steps` fixture, and
passes the same names to `run_demo` for a second load. `run_demo` returns what the command
printed, and `demo_loaded_once` yields it, for a module that reads the first load's output.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from mediane.demo import summit_data
from mediane.demo.loader import Loader


def run_demo(skipped_steps: Iterable[str] = ()) -> str:
    """`mediane demo --territories minimal`, summit schedule not computed; `skipped_steps`:
    methods of `Loader` not run (e.g. "load_cooperation"). Returns what the command printed."""
    out = io.StringIO()
    with ExitStack() as stack:
        stack.enter_context(
            mock.patch.object(summit_data, "load_summit_schedule", lambda loader: None)
        )
        for step in skipped_steps:
            stack.enter_context(mock.patch.object(Loader, step, lambda self: None))
        call_command("demo", territories="minimal", stdout=out, stderr=io.StringIO())
    return out.getvalue()


@contextmanager
def demo_loaded_once(
    django_db_blocker: Any, folder: Path, skipped_steps: Iterable[str] = ()
) -> Iterator[str]:
    """The demo loaded (files under `folder`, fast password hashes) for the duration of the
    block, then rolled back; yields what the command printed."""
    storages = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder / "private"), "base_url": None},
        },
    }
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            DATAHUB_ROOT=folder / "datahub",
            STORAGES=storages,
        ),
        transaction.atomic(),
    ):
        output = run_demo(skipped_steps)
        yield output
        transaction.set_rollback(True)
