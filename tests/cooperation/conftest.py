import pytest

from tests.cooperation.factories import make_world


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture(autouse=True)
def _fresh_needs_index():
    """The similar needs' in-process cache starts empty in every test (rolled-back databases
    reuse ids)."""
    from mediane.cooperation import needs_index

    needs_index.clear()
    yield
    needs_index.clear()
