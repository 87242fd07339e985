"""Factories of territories (direct rows; the import is tested on its own)."""

from __future__ import annotations

import factory

from mediane.territories.models import Territory


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    country = "FR"
    kind = "municipality"
    code = factory.Sequence(lambda n: f"{20000 + n}")
    name = factory.Sequence(lambda n: f"Ville {n}")
    slug = factory.LazyAttribute(lambda o: f"{o.name.lower().replace(' ', '-')}-{o.code}")
    population = 30_000
