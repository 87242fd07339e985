"""Permission-aware reads of incubation. Pages, the API and the exports call these, so they see
the same rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.core.errors import NotFound
from mediane.core.permissions import can, is_secretariat, user_roles, visible_q
from mediane.directory.models import Organisation
from mediane.incubation.models import (
    HOLDING_STATUSES,
    INCUBATOR_KINDS,
    STARTUP_KINDS,
    AgreementStatus,
    HostCapacity,
    RequestStatus,
    SoftLandingRequest,
    StayNote,
    StayOutcome,
    TwinningAgreement,
)
from mediane.territories.models import Twinning


class IncubationNotFound(NotFound, Http404):
    code = "not_found"


def in_force_q(on: date, prefix: str = "") -> Q:
    """Agreements signed and running on `on` (`prefix` e.g. "agreement__" from a related model)."""
    return Q(**{f"{prefix}status": AgreementStatus.SIGNED, f"{prefix}start__lte": on}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": on})
    )


def agreements_in_force(organisation: Organisation, *, on: date | None = None) -> QuerySet:
    """The agreements of `organisation` (either side) in force on `on` (default today)."""
    on = on or timezone.localdate()
    return TwinningAgreement.objects.filter(
        Q(first=organisation) | Q(second=organisation), in_force_q(on)
    )


def twinned_partners(organisation: Organisation, *, on: date | None = None) -> QuerySet:
    """The organisations with an agreement in force with `organisation` on `on` (default today).

    Public by nature (agreements in force are public), so it takes no user.
    """
    on = on or timezone.localdate()
    agreements = TwinningAgreement.objects.filter(in_force_q(on))
    first_ids = agreements.filter(second=organisation).values("first_id")
    second_ids = agreements.filter(first=organisation).values("second_id")
    return Organisation.objects.filter(Q(pk__in=first_ids) | Q(pk__in=second_ids)).exclude(
        pk=organisation.pk
    )


def agreements_visible(user: Any) -> QuerySet:
    """Agreements `user` may read: signed or ended ones, plus proposals of their organisations."""
    qs = TwinningAgreement.objects.select_related("first", "second")
    if is_secretariat(user):
        return qs
    mine = list(user_roles(user))
    return qs.filter(
        ~Q(status=AgreementStatus.PROPOSED) | Q(first_id__in=mine) | Q(second_id__in=mine)
    )


def agreement_get_for(*, user: Any, pk: int) -> TwinningAgreement:
    agreement = (
        TwinningAgreement.objects.select_related(
            "first", "second", "first_contact", "second_contact"
        )
        .filter(pk=pk)
        .first()
    )
    if agreement is None or not can(user, "view", agreement):
        raise IncubationNotFound(
            _("Cet accord de jumelage n'existe pas ou ne vous est pas visible.")
        )
    return agreement


# --- organisations the user acts for ---------------------------------------------------------


def _orgs_with_role(user: Any, roles: tuple[str, ...], kinds: frozenset[str]) -> list[Organisation]:
    ids = [pk for pk, role in user_roles(user).items() if role in roles]
    return list(Organisation.objects.filter(pk__in=ids, kind__in=kinds).order_by("name"))


def incubators_administered(user: Any) -> list[Organisation]:
    """Incubators, accelerators and tiers-lieux the user administers (they propose agreements)."""
    return _orgs_with_role(user, ("admin",), INCUBATOR_KINDS)


def incubators_edited(user: Any) -> list[Organisation]:
    """Incubators the user edits: they decide requests, follow stays and manage capacity."""
    return _orgs_with_role(user, ("admin", "editor"), INCUBATOR_KINDS)


def startups_edited(user: Any) -> list[Organisation]:
    """Start-ups and SMEs the user edits: they ask for a soft landing."""
    return _orgs_with_role(user, ("admin", "editor"), STARTUP_KINDS)


def partner_candidates(user: Any, exclude: list[int]) -> QuerySet:
    """Incubators, accelerators and tiers-lieux the user may see, to propose an agreement to."""
    return (
        Organisation.objects.filter(visible_q(user), kind__in=INCUBATOR_KINDS)
        .exclude(pk__in=exclude)
        .order_by("country", "name")
    )


# --- agreements ------------------------------------------------------------------------------


def agreements_list_for(
    user: Any, *, status: str = "", organisation: int | None = None
) -> QuerySet:
    qs = agreements_visible(user)
    if status in AgreementStatus.values:
        qs = qs.filter(status=status)
    if organisation:
        qs = qs.filter(Q(first_id=organisation) | Q(second_id=organisation))
    return qs.order_by("status", "-start", "-id")


def city_twinning(agreement: TwinningAgreement) -> Twinning | None:
    """The twinning of the two sides' territories, when the network records one."""
    a, b = agreement.first.territory_id, agreement.second.territory_id  # type: ignore[attr-defined]
    if not a or not b or a == b:
        return None
    first, second = min(a, b), max(a, b)
    return (
        Twinning.objects.filter(first_id=first, second_id=second)
        .select_related("first", "second")
        .order_by("kind")
        .first()
    )


def stays_of_agreement(user: Any, agreement: TwinningAgreement) -> QuerySet:
    """The requests and stays under `agreement`, for both sides' members and the secretariat."""
    if not can(user, "view_stays", agreement):
        return SoftLandingRequest.objects.none()
    return agreement.requests.select_related("startup", "home", "host").order_by("-start")  # type: ignore[attr-defined]


def agreement_options(
    *, on: date | None = None
) -> list[tuple[TwinningAgreement, Organisation, Organisation]]:
    """(agreement, home, host) for each side of each agreement signed and not over on `on`:
    what a start-up may choose in the request form."""
    on = on or timezone.localdate()
    agreements = (
        TwinningAgreement.objects.filter(status=AgreementStatus.SIGNED)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .select_related("first", "second")
    )
    options = []
    for agreement in agreements.order_by("title", "pk"):
        options.append((agreement, agreement.first, agreement.second))
        options.append((agreement, agreement.second, agreement.first))
    return options


# --- requests and stays ----------------------------------------------------------------------


def requests_visible(user: Any) -> QuerySet:
    """Requests the user may read: those of their organisations (start-up, home or host)."""
    qs = SoftLandingRequest.objects.select_related("startup", "home", "host", "agreement")
    if is_secretariat(user):
        return qs
    ids = list(user_roles(user))
    if not ids:
        return qs.none()
    return qs.filter(Q(startup_id__in=ids) | Q(home_id__in=ids) | Q(host_id__in=ids))


def request_get_for(*, user: Any, pk: int) -> SoftLandingRequest:
    request = requests_visible(user).filter(pk=pk).first()
    if request is None or not can(user, "view", request):
        raise IncubationNotFound(_("Cette demande n'existe pas ou ne vous est pas visible."))
    return request


def requests_mine(user: Any) -> dict[str, list[SoftLandingRequest]]:
    """The user's requests by their organisation's part: as start-up, home or host."""
    ids = list(user_roles(user))
    qs = requests_visible(user).filter(
        Q(startup_id__in=ids) | Q(home_id__in=ids) | Q(host_id__in=ids)
    )
    rows = list(qs.order_by("-start", "-id")[:500])
    return {
        "startup": [r for r in rows if r.startup_id in ids],  # type: ignore[attr-defined]
        "home": [r for r in rows if r.home_id in ids],  # type: ignore[attr-defined]
        "host": [r for r in rows if r.host_id in ids],  # type: ignore[attr-defined]
    }


def host_inbox(user: Any, host: Organisation) -> dict[str, list[SoftLandingRequest]]:
    """What a host's editors follow: requests to decide, answers awaited, stays to come and in
    progress."""
    qs = requests_visible(user).filter(host=host)
    return {
        "to_decide": list(qs.filter(status=RequestStatus.REQUESTED).order_by("start", "id")),
        "awaiting": list(qs.filter(status=RequestStatus.DATES_PROPOSED).order_by("start", "id")),
        "scheduled": list(qs.filter(status__in=HOLDING_STATUSES).order_by("start", "id")),
    }


def journal_for(user: Any, request: SoftLandingRequest) -> list[StayNote]:
    if not can(user, "view_journal", request):
        return []
    return list(request.journal.select_related("author", "organisation"))  # type: ignore[attr-defined]


def outcomes_for(user: Any, request: SoftLandingRequest) -> list[StayOutcome]:
    if not can(user, "view", request):
        return []
    return list(request.outcomes.select_related("organisation"))  # type: ignore[attr-defined]


def capacities_for(user: Any, host: Organisation) -> list[HostCapacity]:
    rows = list(HostCapacity.objects.filter(host=host).order_by("start"))
    return [row for row in rows if can(user, "view", row)]


def occupancy(host: Organisation, capacity: HostCapacity) -> int:
    """Most start-ups held on one day of the period (accepted or in progress)."""
    stays = list(
        SoftLandingRequest.objects.filter(
            host=host, status__in=HOLDING_STATUSES, start__lte=capacity.end, end__gte=capacity.start
        ).values_list("start", "end")
    )
    points = sorted(
        [(max(s, capacity.start), 0) for s, _e in stays]
        + [(min(e, capacity.end), 1) for _s, e in stays]
    )
    current = best = 0
    for _day, kind in points:
        current += 1 if kind == 0 else -1
        best = max(best, current)
    return best


def stays_for_export(user: Any) -> QuerySet:
    """Stays (accepted, in progress, ended) with their outcomes, for the incubators concerned
    (home or host) and the secretariat."""
    qs = SoftLandingRequest.objects.filter(
        status__in=[*HOLDING_STATUSES, RequestStatus.COMPLETED]
    ).select_related("startup", "home", "host", "agreement")
    if not is_secretariat(user):
        ids = list(user_roles(user))
        qs = qs.filter(Q(home_id__in=ids) | Q(host_id__in=ids))
    return qs.prefetch_related("outcomes__organisation").order_by("start", "id")


def can_export(user: Any) -> bool:
    if is_secretariat(user):
        return True
    ids = list(user_roles(user))
    return Organisation.objects.filter(pk__in=ids, kind__in=INCUBATOR_KINDS).exists()
