import pytest

from tests.market.factories import make_world


@pytest.fixture
def world(db):
    return make_world()
