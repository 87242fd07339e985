import pytest

from tests.summit.factories import make_summit


@pytest.fixture
def summit(db):
    return make_summit()
