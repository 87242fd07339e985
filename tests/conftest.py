"""Shared fixtures. App-specific factories live in tests/<app>/factories.py."""

import pytest

# What gives a test the database, as pytest-django decides it.
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "live_server",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `no_database` the tests that pytest-django keeps away from the database (any query
    would fail): they give the same result whatever DATABASE_URL says, so the PostgreSQL stage
    of .ci/run runs only the others (docs/decisions/0006-ci-stages.md). pytest-django's own
    rule (kept inside its ordering hook), with its two other database fixtures."""
    from django.test import TransactionTestCase

    for item in items:
        cls = getattr(item, "cls", None)
        uses_database = (
            (cls is not None and issubclass(cls, TransactionTestCase))
            or item.get_closest_marker("django_db") is not None
            or bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))
        )
        if not uses_database:
            item.add_marker(pytest.mark.no_database)


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
