"""A small world for the plans tests: Lourdes and Nevers with their people, a plan built through
the real services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mediane.accounts.models import User
from mediane.directory.models import Organisation
from mediane.plans import services
from mediane.plans.models import Plan
from tests.directory.factories import UserFactory, member_of
from tests.market.factories import CityFactory


@dataclass
class PlanWorld:
    lourdes: Organisation
    nevers: Organisation
    editor: User  # editor of Lourdes
    member: User  # member of Lourdes
    other_editor: User  # editor of Nevers
    outsider: User
    secretariat: User

    def plan(self, title: str = "Plan Avenir Lourdes", **kwargs: Any) -> Plan:
        kwargs.setdefault("start_year", 2022)
        kwargs.setdefault("end_year", 2030)
        kwargs.setdefault("status", "active")
        return services.plan_create(
            actor=self.editor, organisation=self.lourdes, title=title, **kwargs
        )


def make_world() -> PlanWorld:
    lourdes = CityFactory(name="Lourdes", slug="lourdes")
    nevers = CityFactory(name="Nevers", slug="nevers")
    return PlanWorld(
        lourdes=lourdes,
        nevers=nevers,
        editor=member_of(lourdes, "editor"),
        member=member_of(lourdes, "member"),
        other_editor=member_of(nevers, "editor"),
        outsider=UserFactory(),
        secretariat=UserFactory(is_secretariat=True),
    )
