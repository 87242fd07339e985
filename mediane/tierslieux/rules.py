"""Permission rules of tierslieux (`core.permissions.rule`).

- A resource is seen by whoever sees its tiers-lieu (its visibility), while it is bookable; the
  tiers-lieu's editors and the secretariat also see it when it is not.
- Booking follows the resource's "who may book": anyone signed in, network members, members of
  the tiers-lieu, or members of the tiers-lieu and of the tiers-lieux twinned with it (in force,
  `mediane.incubation.selectors.twinned_partners`). Training is checked by the booking service,
  which says what is missing.
- The tiers-lieu's editors and administrators (and the secretariat) manage its resources: hours,
  closures, trainings, the list of bookings and its exports, cancelling a booking.
- A booking is read by its booker, the tiers-lieu's editors and the secretariat; the booker
  cancels their own.
"""

from __future__ import annotations

from typing import Any

from mediane.core.permissions import (
    can_see_visibility,
    has_role,
    is_authenticated,
    is_network_member,
    is_secretariat,
    role_in,
    rule,
    user_roles,
)
from mediane.directory.models import Organisation
from mediane.tierslieux.models import Booking, Resource, WhoMayBook


def partner_ids(organisation: Organisation) -> set[int]:
    """Ids of the organisations twinned with `organisation` by an agreement in force."""
    from mediane.incubation.selectors import twinned_partners

    return set(twinned_partners(organisation).values_list("pk", flat=True))


def is_partner_member(user: Any, organisation: Organisation) -> bool:
    """`user` belongs to an organisation twinned with `organisation`."""
    roles = user_roles(user)
    return bool(roles) and bool(set(roles) & partner_ids(organisation))


def manages(user: Any, organisation_id: int | None) -> bool:
    return is_secretariat(user) or has_role(user, organisation_id, "editor")


@rule(Organisation, "manage_resources")
def organisation_manage_resources(user: Any, organisation: Organisation) -> bool:
    return manages(user, organisation.pk)


@rule(Resource, "view")
def resource_view(user: Any, resource: Resource) -> bool:
    if manages(user, resource.organisation_id):  # type: ignore[attr-defined]
        return True
    organisation = resource.organisation
    return resource.is_active and can_see_visibility(user, organisation.visibility, organisation.pk)


@rule(Resource, "manage")
def resource_manage(user: Any, resource: Resource) -> bool:
    return manages(user, resource.organisation_id)  # type: ignore[attr-defined]


@rule(Resource, "book")
def resource_book(user: Any, resource: Resource) -> bool:
    if not is_authenticated(user) or not resource.is_active or not resource_view(user, resource):
        return False
    who = resource.who_may_book
    if who == WhoMayBook.AUTHENTICATED:
        return True
    if who == WhoMayBook.NETWORK:
        return is_network_member(user)
    if role_in(user, resource.organisation_id) is not None:  # type: ignore[attr-defined]
        return True
    if who == WhoMayBook.PARTNERS:
        return is_partner_member(user, resource.organisation)
    return False


@rule(Booking, "view")
def booking_view(user: Any, booking: Booking) -> bool:
    if is_authenticated(user) and booking.user_id == user.pk:  # type: ignore[attr-defined]
        return True
    return manages(user, booking.resource.organisation_id)  # type: ignore[attr-defined]


@rule(Booking, "cancel")
def booking_cancel(user: Any, booking: Booking) -> bool:
    if not booking.is_confirmed:
        return False
    return booking_view(user, booking)
