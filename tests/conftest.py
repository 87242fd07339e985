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


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit and throttling counters live in the cache (in process memory here): each test
    starts without what earlier tests of the same process counted, whatever their order."""
    from django.core.cache import cache

    cache.clear()
