"""Fixtures of the search tests: documents of a test-only kind, and people with each role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from mediane.accounts.models import Role
from mediane.search.services import SearchDocument, index_document
from tests.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory

KIND = "test_note"


def doc(object_id: int, title: str, body: str = "", **kwargs) -> SearchDocument:
    kwargs.setdefault("kind", KIND)
    kwargs.setdefault("url", f"/notes/{object_id}/")
    return SearchDocument(object_id=object_id, title=title, body=body, **kwargs)


@pytest.fixture
def index(db):
    """`index(id, title, body, **fields)`: index a document of the test kind."""

    def _index(object_id: int, title: str, body: str = "", **kwargs) -> SearchDocument:
        document = doc(object_id, title, body, **kwargs)
        index_document(document)
        return document

    return _index


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def owner_org(db):
    return OrganisationFactory(name="Tiers-lieu de Lourdes")


@pytest.fixture
def owner_member(owner_org):
    return MembershipFactory(organisation=owner_org, role=Role.MEMBER).user


@pytest.fixture
def network_member(db):
    """A member of the network through another organisation."""
    return MembershipFactory(role=Role.MEMBER).user


@pytest.fixture
def outsider(db):
    return UserFactory()


@pytest.fixture
def secretariat(db):
    return UserFactory(is_secretariat=True)
