"""Cities, people and solution sheets for the solutions' tests, built through the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mediane.accounts.models import User
from mediane.directory.models import Organisation, Sector
from mediane.solutions import services
from mediane.solutions.models import SolutionSheet
from mediane.solutions.services import IndicatorInput, SolutionInput
from tests.directory.factories import (
    OrganisationFactory,
    SectorFactory,
    TerritoryFactory,
    UserFactory,
    member_of,
)


@dataclass
class World:
    nevers: Organisation  # the city that deployed the solution
    lourdes: Organisation  # a city that replicates it
    company: Organisation
    nevers_editor: User
    nevers_member: User
    lourdes_editor: User
    lourdes_member: User
    company_admin: User
    stranger: User  # an account with no organisation
    secretariat: User


def make_world() -> World:
    nevers_place = TerritoryFactory(name="Nevers", slug="nevers", latitude=46.99, longitude=3.16)
    lourdes_place = TerritoryFactory(
        name="Lourdes", slug="lourdes", latitude=43.09, longitude=-0.05
    )
    nevers = OrganisationFactory(
        name="Ville de Nevers", slug="ville-de-nevers", kind="collectivite", territory=nevers_place
    )
    lourdes = OrganisationFactory(
        name="Ville de Lourdes",
        slug="ville-de-lourdes",
        kind="collectivite",
        territory=lourdes_place,
    )
    company = OrganisationFactory(name="Capteurs du Centre", slug="capteurs-du-centre")
    return World(
        nevers=nevers,
        lourdes=lourdes,
        company=company,
        nevers_editor=member_of(nevers, "editor"),
        nevers_member=member_of(nevers, "member"),
        lourdes_editor=member_of(lourdes, "editor"),
        lourdes_member=member_of(lourdes, "member"),
        company_admin=member_of(company, "admin"),
        stranger=UserFactory(),
        secretariat=UserFactory(is_secretariat=True),
    )


def solution_input(**changes: Any) -> SolutionInput:
    sector = Sector.objects.filter(slug="mobilite-test").first() or SectorFactory(
        slug="mobilite-test", name="Mobilité (test)"
    )
    values: dict[str, Any] = {
        "title": "Stationnement intelligent du centre-ville",
        "summary": "Des capteurs signalent les places libres ; la recherche de place a baissé.",
        "problem": "Les automobilistes tournaient 12 minutes en moyenne pour se garer.",
        "solution": "300 capteurs au sol et une application qui guide vers les places libres.",
        "supplier_organisation": "capteurs-du-centre",
        "cost_amount": 180000,
        "currency": "EUR",
        "duration_months": 8,
        "deployed_on": "2023-04-01",
        "results": "Moins de circulation de recherche dans l'hypercentre.",
        "lessons": "Associer les commerçants dès le début.",
        "contact_role": "Direction de la mobilité",
        "sectors": [sector.slug],
        "visibility": "public",
        "status": "published",
        "indicators": [
            IndicatorInput(
                name="Temps moyen de recherche",
                unit="min",
                value_before="12",
                value_after="7,5",
                measured_on="2024-03-01",
            )
        ],
    }
    values.update(changes)
    return SolutionInput(**values)


def make_sheet(world: World, **changes: Any) -> SolutionSheet:
    return services.solution_create(
        actor=world.nevers_editor, organisation=world.nevers, data=solution_input(**changes)
    )
