import pytest
from django.core.cache import cache

from mediane.directory.selectors import forget_territory_map


@pytest.fixture(autouse=True)
def _fresh_directory_caches():
    """Facet counts and the territory map are cached: start each test from scratch."""
    cache.clear()
    forget_territory_map()
    yield
    cache.clear()
    forget_territory_map()


@pytest.fixture
def secretariat(db):
    from tests.directory.factories import UserFactory

    return UserFactory(is_secretariat=True)


@pytest.fixture
def user(db):
    from tests.directory.factories import UserFactory

    return UserFactory()
