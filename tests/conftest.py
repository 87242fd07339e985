"""Shared fixtures. App-specific factories live in tests/<app>/factories.py."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _static_files_listed_once():
    """WhiteNoise lists every static file of the finders each time a middleware chain is built,
    which Django's test client does once per client: about 30 ms, six hundred times in the
    suite. The files do not change while the tests run: list them once per process."""
    from whitenoise.middleware import WhiteNoiseMiddleware

    original = WhiteNoiseMiddleware.add_files_from_finders
    listed: dict[tuple, dict] = {}

    def add_files_from_finders(self):  # type: ignore[no-untyped-def]
        key = (self.static_prefix, self.max_age, self.allow_all_origins, self.charset)
        if key not in listed:
            before = dict(self.files)
            original(self)
            listed[key] = {url: f for url, f in self.files.items() if before.get(url) is not f}
        else:
            self.files.update(listed[key])

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders
    yield
    WhiteNoiseMiddleware.add_files_from_finders = original


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashes():
    """Argon2 is slow by design (about 0.1 s a hash, a hundred hashes in the suite): the tests
    hash new passwords with MD5 and still read the project's hashes. The tests of the hashing
    itself ask for `project_password_hashers`."""
    from django.conf import settings
    from django.test.utils import override_settings

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    with override_settings(PASSWORD_HASHERS=fast):
        yield


@pytest.fixture
def project_password_hashers(settings):
    """The password hashers of mediane/settings.py (Argon2 first), as in production."""
    from mediane import settings as project

    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS


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
