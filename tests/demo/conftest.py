"""The demo tests of every app share one load of the demo network.

Loading `mediane demo` takes several seconds; the tests of this package only read it (each test
runs in a savepoint rolled back after it; a "second load changes nothing" test loads it again
inside its savepoint). So the demo, summit schedule included, is loaded once for the package, in
a transaction rolled back after the package's last test: once per test process instead of once
per module. Only demo tests belong here: any test of this package sees the demo's rows.
"""

from __future__ import annotations

import pytest

from tests.demo.loading import demo_loaded_once


@pytest.fixture(scope="package")
def demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    """What `mediane demo` printed; the demo stays loaded until the package's last test."""
    with demo_loaded_once(
        django_db_blocker, tmp_path_factory.mktemp("demo"), schedule=True
    ) as output:
        yield output


@pytest.fixture(autouse=True)
def _in_the_demo(demo_loaded):  # type: ignore[no-untyped-def]
    """Every test of the package runs with the demo loaded (none may run before the load and
    see an empty network, or after it in a module order that would load it twice)."""
