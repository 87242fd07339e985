"""Loading `mediane demo` in tests: `run_demo` (the minimal territories; the summit schedule only
when asked) and `demo_loaded_once`, which loads it inside a transaction rolled back at the end of
a block and yields what the command printed.

The fixture `demo_loaded` of tests/demo/conftest.py uses it: the whole demo with its summit
schedule, loaded once for all the demo tests of that package (once per test process).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings

from mediane.demo import summit_data


def run_demo(*, schedule: bool = False) -> str:
    """`mediane demo --territories minimal`; returns what the command printed.

    The summit schedule is computed only with `schedule=True`. The demo computes it once its data
    is committed; inside a test's transaction that step waits for a commit that never comes, so
    here the on-commit callbacks are run at the end of the load. The scheduler's progress is
    written from the solver's threads, on their own database connections, which cannot write
    while the test's transaction holds the database: it is not written here."""
    from mediane.summit import scheduling

    out = io.StringIO()
    with ExitStack() as stack:
        if schedule:
            stack.enter_context(mock.patch.object(scheduling, "_progress_writer", _no_progress))
            stack.enter_context(TestCase.captureOnCommitCallbacks(execute=True))
        else:
            stack.enter_context(
                mock.patch.object(summit_data, "load_summit_schedule", lambda loader: None)
            )
        call_command("demo", territories="minimal", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _no_progress(run_id: int, time_limit: int) -> Callable[..., None]:
    return lambda *args, **kwargs: None


@contextmanager
def demo_loaded_once(
    django_db_blocker: Any,
    folder: Path,
    *,
    schedule: bool = False,
) -> Iterator[str]:
    """The demo loaded (files under `folder`; the suite's fast password hashes, tests/conftest.py)
    for the duration of the block, then rolled back; yields what the command printed."""
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
            DATAHUB_ROOT=folder / "datahub",
            STORAGES=storages,
        ),
        transaction.atomic(),
    ):
        output = run_demo(schedule=schedule)
        yield output
        transaction.set_rollback(True)
