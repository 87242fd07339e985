"""Factories of cooperation: cities of both countries with their people, projects built through
the real services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mediane.accounts.models import User
from mediane.cooperation import services
from mediane.cooperation.models import Project
from mediane.directory.models import Organisation
from tests.directory.factories import UserFactory, member_of
from tests.market.factories import CityFactory, QuebecCityFactory


@dataclass
class CoopWorld:
    lourdes: Organisation
    nevers: Organisation
    shawinigan: Organisation
    lead_editor: User  # editor of Lourdes
    lead_member: User  # member of Lourdes
    partner_editor: User  # editor of Nevers
    partner_member: User  # member of Nevers
    quebec_editor: User  # editor of Shawinigan (not a partner at first)
    outsider: User  # authenticated, no organisation
    secretariat: User

    def project(self, title: str = "Navettes électriques mutualisées", **kwargs: Any) -> Project:
        return services.project_create(
            actor=self.lead_editor, lead=self.lourdes, title=title, **kwargs
        )


def make_world() -> CoopWorld:
    lourdes = CityFactory(name="Lourdes", slug="lourdes")
    nevers = CityFactory(name="Nevers", slug="nevers")
    shawinigan = QuebecCityFactory(name="Shawinigan", slug="shawinigan")
    return CoopWorld(
        lourdes=lourdes,
        nevers=nevers,
        shawinigan=shawinigan,
        lead_editor=member_of(lourdes, "editor"),
        lead_member=member_of(lourdes, "member"),
        partner_editor=member_of(nevers, "editor"),
        partner_member=member_of(nevers, "member"),
        quebec_editor=member_of(shawinigan, "editor"),
        outsider=UserFactory(),
        secretariat=UserFactory(is_secretariat=True),
    )
