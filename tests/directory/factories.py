"""Factories of the directory: territories, sectors, organisations, experts, users.

`OrganisationFactory` writes rows directly (fast, no side effects); tests that care about audit
and search build organisations through `create_organisation` (the service).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import factory
from django.contrib.auth.hashers import make_password

from mediane.accounts.models import Membership, User
from mediane.directory.inputs import OrganisationInput
from mediane.directory.models import Expert, Organisation, Sector
from mediane.territories.models import NetworkMembership, Territory

PASSWORD = "un mot de passe assez long"


@lru_cache(maxsize=1)
def _hashed() -> str:
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"annuaire{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Personne {n}")
    email_verified = True
    password = factory.LazyFunction(_hashed)


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    country = "FR"
    kind = "municipality"
    code = factory.Sequence(lambda n: f"{70000 + n}")
    name = factory.Sequence(lambda n: f"Ville {n}")
    slug = factory.Sequence(lambda n: f"ville-{n}")
    population = 30_000
    latitude = 45.0
    longitude = 1.0


class DepartementFactory(TerritoryFactory):
    kind = "departement"
    code = factory.Sequence(lambda n: f"D{n}")
    name = factory.Sequence(lambda n: f"Département {n}")
    slug = factory.Sequence(lambda n: f"departement-{n}")
    population = None


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector

    slug = factory.Sequence(lambda n: f"secteur-test-{n}")
    name = factory.Sequence(lambda n: f"Secteur test {n}")
    nature = "tech"
    position = 100


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = "startup"
    country = "FR"
    visibility = "public"

    @factory.post_generation
    def sectors(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.sectors.set(extracted)


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert

    name = factory.Sequence(lambda n: f"Expert {n}")
    slug = factory.Sequence(lambda n: f"expert-{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    visibility = "public"


def member_of(organisation: Organisation, role: str = "member", user: User | None = None) -> User:
    user = user or UserFactory()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def network_member(territory: Territory, status: str = "active") -> NetworkMembership:
    return NetworkMembership.objects.create(territory=territory, status=status)


def org_input(**changes: Any) -> OrganisationInput:
    """A valid input for a French start-up; override any field."""
    values: dict[str, Any] = {"name": "Laines des Pyrénées", "kind": "startup", "country": "FR"}
    values.update(changes)
    return OrganisationInput(**values)
