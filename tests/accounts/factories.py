"""Factories of accounts, plus network memberships and twinnings for the permission matrix.

Organisations, territories, sectors and experts come from the directory's factories (re-exported
here); all of them write rows directly, with no side effects.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from mediane.accounts.models import ApiToken, Invitation, Membership, Role, User
from mediane.core.models import AuditEntry
from mediane.territories.models import NetworkMembership, Twinning
from tests.directory.factories import (
    ExpertFactory,
    OrganisationFactory,
    SectorFactory,
    TerritoryFactory,
)

__all__ = [
    "ApiTokenFactory",
    "AuditEntryFactory",
    "ExpertFactory",
    "InvitationFactory",
    "MembershipFactory",
    "NetworkMembershipFactory",
    "OrganisationFactory",
    "SectorFactory",
    "TerritoryFactory",
    "TwinningFactory",
    "UserFactory",
]

PASSWORD = "correct horse battery staple"


@lru_cache(maxsize=1)
def hashed_password() -> str:
    """Argon2 is slow by design: hash the shared test password once."""
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Personne {n}")
    email_verified = True
    password = factory.LazyFunction(hashed_password)


class NetworkMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkMembership

    territory = factory.SubFactory(TerritoryFactory)
    status = "active"


class TwinningFactory(factory.django.DjangoModelFactory):
    """Twinnings are stored with first.id < second.id: build both territories in order."""

    class Meta:
        model = Twinning

    first = factory.SubFactory(TerritoryFactory)
    second = factory.SubFactory(TerritoryFactory)
    kind = "jumelage"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invite{n}@example.org")
    role = Role.MEMBER
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class ApiTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = "jeton"
    prefix = factory.Sequence(lambda n: f"mdn_{n:08d}"[:12])
    digest = factory.Sequence(lambda n: ApiToken.hash(f"raw-{n}"))


class AuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEntry

    action = "organisation.update"
    object_type = "directory.organisation"
    object_id = "1"
    object_repr = "Organisation"
