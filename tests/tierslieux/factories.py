"""A tiers-lieu with its people and resources, built through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from mediane.tierslieux import services
from mediane.tierslieux.models import Resource
from tests.accounts.factories import (
    MembershipFactory,
    OrganisationFactory,
    TerritoryFactory,
    UserFactory,
)

EVERY_DAY = [(day, "08:00", "20:00") for day in range(7)]


@dataclass
class Space:
    organisation: Any
    admin: Any
    editor: Any
    member: Any
    network: Any  # member of another organisation of the network
    outsider: Any  # signed in, no organisation
    partner_org: Any
    partner: Any  # member of partner_org (twinned only when a test signs an agreement)
    secretariat: Any


def make_space() -> Space:
    territory = TerritoryFactory()
    organisation = OrganisationFactory(
        name="Tiers-lieu test", kind="tiers-lieu", territory=territory
    )
    partner_org = OrganisationFactory(name="Tiers-lieu jumeau", kind="tiers-lieu")
    other = OrganisationFactory(name="Start-up")

    def member(org: Any, role: str) -> Any:
        return MembershipFactory(organisation=org, role=role).user

    return Space(
        organisation=organisation,
        admin=member(organisation, "admin"),
        editor=member(organisation, "editor"),
        member=member(organisation, "member"),
        network=member(other, "member"),
        outsider=UserFactory(),
        partner_org=partner_org,
        partner=member(partner_org, "member"),
        secretariat=UserFactory(is_secretariat=True),
    )


def make_resource(space: Space, **fields: Any) -> Resource:
    values = {
        "name": "Salle Adour",
        "kind": "meeting_room",
        "capacity": 1,
        "slot_minutes": 30,
        "min_minutes": 30,
        "max_minutes": 240,
        "who_may_book": "network",
        "price_member": "10",
        "price_partner": "15",
        "price_other": "20",
        **fields,
    }
    resource = services.resource_create(
        actor=space.editor, organisation=space.organisation, **values
    )
    services.opening_hours_set(actor=space.editor, resource=resource, hours=EVERY_DAY)
    return resource


def at(resource: Resource, hour: int, minute: int = 0, *, days: int = 1) -> dt.datetime:
    """An aware local time of the resource, `days` after today."""
    day = timezone.now().astimezone(resource.zone).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=resource.zone)


def sign_twinning(space: Space) -> None:
    from mediane.incubation.services import twinning_create

    twinning_create(
        actor=space.secretariat,
        first=space.organisation,
        second=space.partner_org,
        title="Jumelage de tiers-lieux",
        start=timezone.localdate() - dt.timedelta(days=1),
        signed=True,
    )
