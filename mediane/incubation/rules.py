"""Permission rules of incubation (`core.permissions.rule`).

- A twinning agreement in force or ended is public; its personal contacts are for network
  members; a proposed agreement is read by both sides' members and the secretariat only.
  The stays under it are read by both sides' members and the secretariat.
- An admin of the proposing side (or the secretariat) proposes; an admin of the other side
  signs (the secretariat records an agreement signed on paper); an admin of either side or the
  secretariat ends it; editors of either side edit it while it is not ended.
- A soft-landing request is read by the members of the start-up, of its home incubator and
  of the host, and by the secretariat. The start-up's editors ask, answer proposed dates and
  cancel; the host's editors decide; editors of both incubators follow the stay (journal, start,
  end, outcomes). The journal is the incubators' own.
- The host's capacity is read by its members and managed by its editors.
"""

from __future__ import annotations

from typing import Any

from mediane.core.permissions import has_role, is_secretariat, role_in, rule
from mediane.incubation.models import (
    HOLDING_STATUSES,
    OPEN_STATUSES,
    AgreementStatus,
    HostCapacity,
    RequestStatus,
    SoftLandingRequest,
    TwinningAgreement,
)


def _member_of_any(user: Any, *organisation_ids: int | None) -> bool:
    return any(role_in(user, pk) is not None for pk in organisation_ids)


def _editor_of_any(user: Any, *organisation_ids: int | None) -> bool:
    return any(has_role(user, pk, "editor") for pk in organisation_ids)


# --- twinning agreements ---------------------------------------------------------------------


@rule(TwinningAgreement, "view")
def agreement_view(user: Any, agreement: TwinningAgreement) -> bool:
    if agreement.status != AgreementStatus.PROPOSED:
        return True
    return is_secretariat(user) or _member_of_any(user, *agreement.side_ids())


@rule(TwinningAgreement, "view_contacts")
def agreement_view_contacts(user: Any, agreement: TwinningAgreement) -> bool:
    from mediane.core.permissions import is_network_member

    if agreement.status == AgreementStatus.PROPOSED:
        return agreement_view(user, agreement)
    return is_network_member(user)


@rule(TwinningAgreement, "view_stays")
def agreement_view_stays(user: Any, agreement: TwinningAgreement) -> bool:
    return is_secretariat(user) or _member_of_any(user, *agreement.side_ids())


@rule(TwinningAgreement, "propose")
def agreement_propose(user: Any, agreement: TwinningAgreement) -> bool:
    return is_secretariat(user) or has_role(user, agreement.first_id, "admin")  # type: ignore[attr-defined]


@rule(TwinningAgreement, "sign")
def agreement_sign(user: Any, agreement: TwinningAgreement) -> bool:
    if agreement.status != AgreementStatus.PROPOSED:
        return False
    return is_secretariat(user) or has_role(user, agreement.second_id, "admin")  # type: ignore[attr-defined]


@rule(TwinningAgreement, "end")
def agreement_end(user: Any, agreement: TwinningAgreement) -> bool:
    if agreement.status != AgreementStatus.SIGNED:
        return False
    return is_secretariat(user) or any(has_role(user, pk, "admin") for pk in agreement.side_ids())


@rule(TwinningAgreement, "change")
def agreement_change(user: Any, agreement: TwinningAgreement) -> bool:
    if agreement.status == AgreementStatus.ENDED:
        return False
    return is_secretariat(user) or _editor_of_any(user, *agreement.side_ids())


# --- soft-landing requests and stays ---------------------------------------------------------


def _parties(request: SoftLandingRequest) -> tuple[int, int, int]:
    return (request.startup_id, request.home_id, request.host_id)  # type: ignore[attr-defined]


@rule(SoftLandingRequest, "view")
def request_view(user: Any, request: SoftLandingRequest) -> bool:
    return is_secretariat(user) or _member_of_any(user, *_parties(request))


@rule(SoftLandingRequest, "view_journal")
def request_view_journal(user: Any, request: SoftLandingRequest) -> bool:
    return is_secretariat(user) or _member_of_any(user, request.home_id, request.host_id)  # type: ignore[attr-defined]


@rule(SoftLandingRequest, "create")
def request_create(user: Any, request: SoftLandingRequest) -> bool:
    return has_role(user, request.startup_id, "editor")  # type: ignore[attr-defined]


@rule(SoftLandingRequest, "decide")
def request_decide(user: Any, request: SoftLandingRequest) -> bool:
    return request.status == RequestStatus.REQUESTED and has_role(user, request.host_id, "editor")  # type: ignore[attr-defined]


@rule(SoftLandingRequest, "respond")
def request_respond(user: Any, request: SoftLandingRequest) -> bool:
    return request.status == RequestStatus.DATES_PROPOSED and has_role(
        user,
        request.startup_id,  # type: ignore[attr-defined]
        "editor",
    )


@rule(SoftLandingRequest, "cancel")
def request_cancel(user: Any, request: SoftLandingRequest) -> bool:
    return request.status in (OPEN_STATUSES | {RequestStatus.ACCEPTED}) and has_role(
        user,
        request.startup_id,  # type: ignore[attr-defined]
        "editor",
    )


@rule(SoftLandingRequest, "follow")
def request_follow(user: Any, request: SoftLandingRequest) -> bool:
    """Journal notes, start and end of the stay: editors of both incubators."""
    return request.status in (HOLDING_STATUSES | {RequestStatus.COMPLETED}) and _editor_of_any(
        user,
        request.home_id,  # type: ignore[attr-defined]
        request.host_id,  # type: ignore[attr-defined]
    )


@rule(SoftLandingRequest, "record_outcome")
def request_record_outcome(user: Any, request: SoftLandingRequest) -> bool:
    return request.status in (
        RequestStatus.IN_PROGRESS,
        RequestStatus.COMPLETED,
    ) and _editor_of_any(
        user,
        request.home_id,  # type: ignore[attr-defined]
        request.host_id,  # type: ignore[attr-defined]
    )


# --- host capacity ---------------------------------------------------------------------------


@rule(HostCapacity, "view")
def capacity_view(user: Any, capacity: HostCapacity) -> bool:
    return is_secretariat(user) or role_in(user, capacity.host_id) is not None  # type: ignore[attr-defined]


@rule(HostCapacity, "manage")
def capacity_manage(user: Any, capacity: HostCapacity) -> bool:
    return has_role(user, capacity.host_id, "editor")  # type: ignore[attr-defined]
