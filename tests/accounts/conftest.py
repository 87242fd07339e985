"""Fixtures of the accounts tests: an organisation with an admin, an editor and a member."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from mediane.accounts.models import Role
from tests.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(db):
    return OrganisationFactory(name="Tiers-lieu de Lourdes", slug="tiers-lieu-lourdes")


@pytest.fixture
def admin(org):
    return MembershipFactory(
        organisation=org, role=Role.ADMIN, user__email="admin@example.org"
    ).user


@pytest.fixture
def editor(org):
    return MembershipFactory(
        organisation=org, role=Role.EDITOR, user__email="editor@example.org"
    ).user


@pytest.fixture
def member(org):
    return MembershipFactory(
        organisation=org, role=Role.MEMBER, user__email="member@example.org"
    ).user


@pytest.fixture
def outsider(db):
    return UserFactory(email="outsider@example.org")


@pytest.fixture
def secretariat(db):
    return UserFactory(email="secretariat@example.org", is_secretariat=True)


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
