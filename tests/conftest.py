"""Shared fixtures. App-specific factories live in tests/<app>/factories.py."""

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATAHUB_ROOT = tmp_path / "datahub"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English leaves English active in the thread: start every test in French."""
    from django.utils import translation

    translation.activate("fr")
    yield
    translation.activate("fr")


@pytest.fixture(scope="module")
def demo_skipped_steps() -> tuple[str, ...]:
    """Steps of the demo loader that `demo_loaded` skips; a test module overrides it."""
    return ()


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory, demo_skipped_steps):  # type: ignore[no-untyped-def]
    """`mediane demo` loaded once for the test module, rolled back after its last test
    (tests/demo/loading.py)."""
    from tests.demo.loading import demo_loaded_once

    with demo_loaded_once(django_db_blocker, tmp_path_factory.mktemp("demo"), demo_skipped_steps):
        yield
