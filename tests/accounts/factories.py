"""Factories of accounts, plus minimal ones for the models the permission matrix needs.

The directory and territories engineers may add richer factories in their own test packages;
these stay minimal on purpose (direct model rows, no side effects).
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from mediane.accounts.models import ApiToken, Invitation, Membership, Role, User
from mediane.core.models import AuditEntry
from mediane.directory.models import Expert, Organisation, Sector
from mediane.territories.models import NetworkMembership, Territory, Twinning

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


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    country = "FR"
    kind = "municipality"
    code = factory.Sequence(lambda n: f"{10000 + n}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    slug = factory.Sequence(lambda n: f"commune-{n}")
    population = 30_000


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = "startup"
    country = "FR"
    visibility = "public"


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector

    slug = factory.Sequence(lambda n: f"secteur-{n}")
    name = factory.Sequence(lambda n: f"Secteur {n}")
    nature = "tech"


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert

    name = factory.Sequence(lambda n: f"Expert {n}")
    slug = factory.Sequence(lambda n: f"expert-{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    visibility = "public"


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
