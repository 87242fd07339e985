"""Permission-matrix rows of this app: one object per key, built by `objects(o, other, users)`.

O hosts the resources; the "member" role booked one of them. O and the other organisation
sign a twinning agreement, so the other's admin books O's resources open to twinned tiers-lieux.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from mediane.directory.models import Organisation
from mediane.incubation.models import TwinningAgreement
from mediane.tierslieux.models import Booking, BookingStatus, Resource
from tests.core.matrix_roles import (
    AUTHENTICATED,
    EVERYONE,
    NETWORK,
    O_EDITORS,
    O_MEMBERS,
    STAFF,
)

SUPERUSER = frozenset({"superuser"})
MANAGERS = O_EDITORS | STAFF


def resource_row(view: frozenset[str], book: frozenset[str]) -> dict[str, frozenset[str]]:
    return {"view": view | MANAGERS, "book": book | SUPERUSER, "manage": MANAGERS}


EXPECTED: dict[str, tuple[type, dict[str, frozenset[str]]]] = {
    "tl_organisation": (Organisation, {"manage_resources": MANAGERS}),
    "tl_resource_authenticated": (Resource, resource_row(EVERYONE, AUTHENTICATED)),
    "tl_resource_network": (Resource, resource_row(EVERYONE, NETWORK)),
    "tl_resource_members": (Resource, resource_row(EVERYONE, O_MEMBERS)),
    "tl_resource_partners": (Resource, resource_row(EVERYONE, O_MEMBERS | {"admin_other"})),
    # Not bookable: only the tiers-lieu's editors and the secretariat see it.
    "tl_resource_inactive": (Resource, resource_row(MANAGERS, SUPERUSER)),
    # O made private: its members (and the secretariat) see its resources; the network books.
    "tl_resource_of_private": (Resource, resource_row(O_MEMBERS | STAFF, O_MEMBERS | STAFF)),
    "tl_booking_of_member": (
        Booking,
        {"view": {"member"} | MANAGERS, "cancel": {"member"} | MANAGERS},
    ),
    "tl_booking_cancelled": (Booking, {"view": {"member"} | MANAGERS, "cancel": SUPERUSER}),
}


def objects(o: Any, other: Any, users: dict[str, Any]) -> dict[str, Any]:
    TwinningAgreement.objects.create(
        first=o,
        second=other,
        title="Jumelage des tiers-lieux",
        start=dt.date.today() - dt.timedelta(days=30),
        status="signed",
    )

    def resource(slug: str, who: str, **extra: Any) -> Resource:
        return Resource.objects.create(
            organisation=o, kind="desk", name=slug, slug=f"tl-{slug}", who_may_book=who, **extra
        )

    private = resource("privee", "network")
    private.organisation = Organisation.objects.get(pk=o.pk)
    private.organisation.visibility = "private"  # rules read the instance
    network = resource("reseau", "network")
    start = timezone.now() + dt.timedelta(days=2)

    def booking(status: str) -> Booking:
        return Booking.objects.create(
            resource=network,
            user=users["member"],
            unit=1,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            status=status,
            tariff="member",
            price=Decimal("0"),
            currency="EUR",
        )

    return {
        "tl_organisation": Organisation.objects.get(pk=o.pk),
        "tl_resource_authenticated": resource("inscrits", "authenticated"),
        "tl_resource_network": network,
        "tl_resource_members": resource("membres", "members"),
        "tl_resource_partners": resource("partenaires", "partners"),
        "tl_resource_inactive": resource("inactive", "network", is_active=False),
        "tl_resource_of_private": private,
        "tl_booking_of_member": booking(BookingStatus.CONFIRMED),
        "tl_booking_cancelled": booking(BookingStatus.CANCELLED),
    }
