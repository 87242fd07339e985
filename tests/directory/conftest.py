import pytest
from django.core.cache import cache

from mediane.directory.facet_index import forget_directory_index
from mediane.directory.selectors import forget_territory_map


@pytest.fixture(autouse=True)
def _fresh_directory_caches():
    """The facet index and the territory map are cached: start each test from scratch."""
    cache.clear()
    forget_territory_map()
    forget_directory_index()
    yield
    cache.clear()
    forget_territory_map()
    forget_directory_index()


@pytest.fixture
def secretariat(db):
    from tests.directory.factories import UserFactory

    return UserFactory(is_secretariat=True)


@pytest.fixture
def user(db):
    from tests.directory.factories import UserFactory

    return UserFactory()
