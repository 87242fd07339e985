import pytest

from tests.labels.factories import LabelWorld, make_world


@pytest.fixture
def world(db: None) -> LabelWorld:
    return make_world()
