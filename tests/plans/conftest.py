import pytest

from tests.plans.factories import make_world


@pytest.fixture
def world(db):
    return make_world()
