"""A small network for the support tests: a region with two départements, cities, a city and a
company, experts of several skills, languages and territories, and the people acting for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from mediane.directory.models import Skill
from tests.accounts.factories import (
    ExpertFactory,
    MembershipFactory,
    OrganisationFactory,
    SectorFactory,
    TerritoryFactory,
    UserFactory,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class World:
    region: Any
    dep_a: Any
    dep_b: Any
    city: Any
    neighbour: Any
    far_city: Any
    quebec_city: Any
    data: Skill
    cyber: Any
    textile: Any
    sector: Any
    city_org: Any
    company: Any
    requester: Any
    colleague: Any
    outsider: Any
    secretariat: Any
    local_expert: Any
    local_user: Any
    dep_expert: Any
    dep_user: Any
    region_expert: Any
    firm_expert: Any
    firm_editor: Any
    english_only: Any
    quebec_expert: Any


@pytest.fixture
def world(db) -> World:
    return make_world()


def make_world() -> World:
    country = TerritoryFactory(kind="country", code="FR", name="France", population=None)
    region = TerritoryFactory(kind="region", code="R76", name="Occitanie", parent=country)
    dep_a = TerritoryFactory(kind="departement", code="D65", name="Hautes-Pyrénées", parent=region)
    dep_b = TerritoryFactory(kind="departement", code="D31", name="Haute-Garonne", parent=region)
    city = TerritoryFactory(name="Lourdes", parent=dep_a)
    neighbour = TerritoryFactory(name="Tarbes", parent=dep_a)
    far_city = TerritoryFactory(name="Muret", parent=dep_b)
    quebec_city = TerritoryFactory(country="QC", name="Shawinigan")
    data = Skill.objects.create(slug="donnees", name="Données ouvertes")
    cyber = Skill.objects.create(slug="cyber", name="Cybersécurité")
    textile = Skill.objects.create(slug="textile", name="Design textile")
    sector = SectorFactory()
    city_org = OrganisationFactory(name="Ville de Lourdes", kind="collectivite", territory=city)
    company = OrganisationFactory(name="Start-up", kind="startup", territory=city)
    requester = MembershipFactory(organisation=city_org, role="editor").user
    colleague = MembershipFactory(organisation=city_org, role="member").user
    firm = OrganisationFactory(name="Cabinet", kind="conseil")
    firm_editor = MembershipFactory(organisation=firm, role="editor").user

    def expert(name: str, *, skills: list, territories: list, languages: str = "fr", **kw: Any):
        made = ExpertFactory(name=name, languages=languages, organisation=None, **kw)
        made.skills.set(skills)
        made.territories_served.set(territories)
        return made

    local_user, dep_user = UserFactory(), UserFactory()
    return World(
        region=region,
        dep_a=dep_a,
        dep_b=dep_b,
        city=city,
        neighbour=neighbour,
        far_city=far_city,
        quebec_city=quebec_city,
        data=data,
        cyber=cyber,
        textile=textile,
        sector=sector,
        city_org=city_org,
        company=company,
        requester=requester,
        colleague=colleague,
        outsider=UserFactory(),
        secretariat=UserFactory(is_secretariat=True),
        local_expert=expert("Locale", skills=[data], territories=[city], user=local_user),
        local_user=local_user,
        dep_expert=expert(
            "Départementale", skills=[data, cyber], territories=[neighbour], user=dep_user
        ),
        dep_user=dep_user,
        region_expert=expert("Régionale", skills=[data], territories=[far_city]),
        firm_expert=ExpertFactory(name="Cabinet expert", organisation=firm, languages="fr,en"),
        firm_editor=firm_editor,
        english_only=expert("English", skills=[data], territories=[city], languages="en"),
        quebec_expert=expert("Québec", skills=[data], territories=[quebec_city], languages="fr,en"),
    )
