"""Permission-matrix rows of this app: one object per key, built by `objects(o, other, users)`."""

from __future__ import annotations

from datetime import date
from typing import Any

from mediane.incubation.models import (
    HostCapacity,
    SoftLandingRequest,
    TwinningAgreement,
)
from tests.accounts.factories import OrganisationFactory
from tests.core.matrix_roles import EVERYONE, NETWORK, O_ADMIN, O_EDITORS, O_MEMBERS, STAFF

SUPERUSER = frozenset({"superuser"})
O_AND_OTHER = O_MEMBERS | {"admin_other"} | STAFF


def agreement_row(
    *,
    view: frozenset[str],
    contacts: frozenset[str],
    propose: frozenset[str],
    sign: frozenset[str] = SUPERUSER,
    end: frozenset[str] = SUPERUSER,
    change: frozenset[str] = SUPERUSER,
) -> dict[str, frozenset[str]]:
    return {
        "view": view,
        "view_contacts": contacts,
        "view_stays": O_AND_OTHER,
        "propose": propose,
        "sign": sign,
        "end": end,
        "change": change,
    }


def request_row(**allowed: frozenset[str]) -> dict[str, frozenset[str]]:
    """Every action of a request, the superuser only unless `allowed` says otherwise."""
    row = {
        action: SUPERUSER
        for action in ("create", "decide", "respond", "cancel", "follow", "record_outcome")
    }
    row.update({"view": O_AND_OTHER, "view_journal": O_AND_OTHER})
    row.update(allowed)
    return row


EXPECTED: dict[str, tuple[type, dict[str, frozenset[str]]]] = {
    # O proposed to the other organisation, whose admin signed: public, contacts for the network.
    "agreement_signed": (
        TwinningAgreement,
        agreement_row(
            view=EVERYONE,
            contacts=NETWORK,
            propose=O_ADMIN | STAFF,
            end=O_ADMIN | {"admin_other"} | STAFF,
            change=O_EDITORS | {"admin_other"} | STAFF,
        ),
    ),
    # Proposed by the other organisation to O: both sides and the secretariat; O's admin signs.
    "agreement_proposed_to_o": (
        TwinningAgreement,
        agreement_row(
            view=O_AND_OTHER,
            contacts=O_AND_OTHER,
            propose=frozenset({"admin_other"}) | STAFF,
            sign=O_ADMIN | STAFF,
            change=O_EDITORS | {"admin_other"} | STAFF,
        ),
    ),
    "agreement_ended": (
        TwinningAgreement,
        agreement_row(view=EVERYONE, contacts=NETWORK, propose=O_ADMIN | STAFF),
    ),
    # A start-up of a third organisation, home incubator the other one, asks O to host it.
    "request_to_o": (SoftLandingRequest, request_row(decide=O_EDITORS | SUPERUSER)),
    # O is the start-up; the host (a third incubator) proposed other dates.
    "request_of_o": (
        SoftLandingRequest,
        request_row(
            view_journal=frozenset({"admin_other"}) | STAFF,
            create=O_EDITORS | SUPERUSER,
            respond=O_EDITORS | SUPERUSER,
            cancel=O_EDITORS | SUPERUSER,
        ),
    ),
    # A stay in progress: O is the home incubator, the other organisation the host.
    "stay_from_o": (
        SoftLandingRequest,
        request_row(
            follow=O_EDITORS | {"admin_other", "superuser"},
            record_outcome=O_EDITORS | {"admin_other", "superuser"},
        ),
    ),
    "capacity_of_o": (
        HostCapacity,
        {"view": O_MEMBERS | STAFF, "manage": O_EDITORS | SUPERUSER},
    ),
}


def objects(o: Any, other: Any, users: dict[str, Any]) -> dict[str, Any]:
    third = OrganisationFactory(name="Tiers incubateur", kind="incubateur")
    young = OrganisationFactory(name="Jeune pousse", kind="startup")
    day = date(2025, 1, 1)

    def agreement(first: Any, second: Any, status: str) -> TwinningAgreement:
        return TwinningAgreement.objects.create(
            first=first, second=second, title="Accord", start=day, status=status
        )

    def request(startup: Any, home: Any, host: Any, status: str) -> SoftLandingRequest:
        return SoftLandingRequest.objects.create(
            startup=startup,
            home=home,
            host=host,
            agreement=agreement(home, host, "signed"),
            start=day,
            end=day,
            requested_start=day,
            requested_end=day,
            status=status,
        )

    return {
        "agreement_signed": agreement(o, other, "signed"),
        "agreement_proposed_to_o": agreement(other, o, "proposed"),
        "agreement_ended": agreement(o, other, "ended"),
        "request_to_o": request(young, other, o, "requested"),
        "request_of_o": request(o, other, third, "dates_proposed"),
        "stay_from_o": request(young, o, other, "in_progress"),
        "capacity_of_o": HostCapacity.objects.create(host=o, start=day, end=day, places=1),
    }
