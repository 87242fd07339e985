"""Fixtures of the API tests: users with tokens, territories, organisations of each visibility.

Organisations are created through the directory's service, so they are indexed in search and
audited exactly as in production.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from mediane.accounts.models import Membership, User
from mediane.accounts.services import api_token_create
from mediane.directory.inputs import OrganisationInput
from mediane.directory.services import organisation_create
from mediane.territories.models import MembershipStatus, NetworkMembership, Territory


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache: start every test from zero."""
    cache.clear()
    yield
    cache.clear()


def make_user(email: str, **extra) -> User:
    return User.objects.create_user(email=email, password=None, **extra)  # no costly hashing


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def token_headers(user: User) -> dict[str, str]:
    _token, raw = api_token_create(user=user, name="tests")
    return bearer(raw)


@pytest.fixture
def secretariat(db) -> User:
    return make_user("secretariat@example.org", is_secretariat=True)


@pytest.fixture
def territories(db) -> dict[str, Territory]:
    lourdes = Territory.objects.create(
        country="FR", kind="municipality", code="65286", name="Lourdes",
        slug="lourdes-65286", population=13_270, latitude=43.0981, longitude=-0.0583,
    )  # fmt: skip
    nevers = Territory.objects.create(
        country="FR", kind="municipality", code="58194", name="Nevers",
        slug="nevers-58194", population=33_100, latitude=46.9882, longitude=3.1573,
    )  # fmt: skip
    shawinigan = Territory.objects.create(
        country="QC", kind="municipality", code="36033", name="Shawinigan",
        slug="shawinigan-36033", population=51_800,
    )  # fmt: skip
    dept = Territory.objects.create(
        country="FR", kind="departement", code="65", name="Hautes-Pyrénées", slug="dept-65"
    )
    NetworkMembership.objects.create(territory=nevers, status=MembershipStatus.FOUNDER)
    NetworkMembership.objects.create(territory=shawinigan, status=MembershipStatus.FOUNDER)
    NetworkMembership.objects.create(territory=lourdes, status=MembershipStatus.CANDIDATE)
    return {"lourdes": lourdes, "nevers": nevers, "shawinigan": shawinigan, "dept": dept}


def create_organisation(actor: User, **fields) -> object:
    data = OrganisationInput(**{"kind": "startup", "country": "FR", **fields})
    return organisation_create(actor=actor, data=data, make_admin=False)


@pytest.fixture
def orgs(secretariat, territories) -> dict[str, object]:
    """Three organisations about wool, one per visibility, plus a Québec incubator."""
    return {
        "public": create_organisation(
            secretariat, name="Laine des Pyrénées", summary="Filature de laine",
            territory_id=territories["lourdes"].pk, sector_slugs=["laine-textile"],
        ),
        "network": create_organisation(
            secretariat, name="Laine du réseau", summary="Laine réservée au réseau",
            visibility="network", territory_id=territories["nevers"].pk,
            sector_slugs=["laine-textile"],
        ),
        "private": create_organisation(
            secretariat, name="Laine secrète", summary="Laine privée",
            visibility="private", territory_id=territories["lourdes"].pk,
            sector_slugs=["laine-textile"],
        ),
        "quebec": create_organisation(
            secretariat, name="Incubateur Shawinigan", kind="incubateur", country="QC",
            territory_id=territories["shawinigan"].pk, sector_slugs=["numerique"],
        ),
    }  # fmt: skip


@pytest.fixture
def outsider(db) -> User:
    """Authenticated, but a member of no organisation."""
    return make_user("outsider@example.org")


@pytest.fixture
def editor(orgs) -> User:
    user = make_user("editor@example.org")
    Membership.objects.create(user=user, organisation=orgs["public"], role="editor")
    return user


@pytest.fixture
def private_member(orgs) -> User:
    user = make_user("member@example.org")
    Membership.objects.create(user=user, organisation=orgs["private"], role="member")
    return user
