import pytest

from tests.tierslieux.factories import make_resource, make_space


@pytest.fixture
def space(db):  # type: ignore[no-untyped-def]
    return make_space()


@pytest.fixture
def room(space):  # type: ignore[no-untyped-def]
    return make_resource(space)
