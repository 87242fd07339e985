"""Permission-aware reads of the summit: editions, participants (with suggestions from the
matching service), requests, agendas, the organisers' lists and the return on investment."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from mediane.core.errors import NotFound
from mediane.core.permissions import can, is_authenticated, require
from mediane.summit.models import (
    Edition,
    EditionStatus,
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    MeetingWish,
    OutcomeResult,
    ParticipantType,
    Registration,
    RegistrationStatus,
    RequestStatus,
    ScheduleRun,
)
from mediane.summit.rules import is_organiser, registration_of


class EditionNotFound(NotFound, Http404):
    code = "not_found"


class RegistrationNotFound(NotFound, Http404):
    code = "not_found"


class MeetingNotFound(NotFound, Http404):
    code = "not_found"


def editions_for(user: Any) -> list[Edition]:
    """Published editions, and the drafts the user organises; the newest first."""
    editions = list(Edition.objects.select_related("host_territory").order_by("-starts_on"))
    return [e for e in editions if can(user, "view", e)]


def edition_get_for(user: Any, *, slug: str) -> Edition:
    try:
        edition = Edition.objects.select_related("host_territory", "organiser").get(slug=slug)
    except Edition.DoesNotExist as exc:
        raise EditionNotFound(_("Édition introuvable.")) from exc
    if not can(user, "view", edition):
        raise EditionNotFound(_("Édition introuvable."))
    return edition


def current_edition() -> Edition | None:
    """The next (or ongoing) published edition with registration or meetings, if any."""
    from django.utils import timezone

    return (
        Edition.objects.filter(status=EditionStatus.PUBLISHED, ends_on__gte=timezone.localdate())
        .order_by("starts_on")
        .first()
    )


def programme(edition: Edition) -> list[Any]:
    return list(
        edition.sessions.select_related("room")  # type: ignore[attr-defined]
        .prefetch_related("speakers__organisation")
        .order_by("starts_at", "title")
    )


def my_registration(user: Any, edition: Edition) -> Registration | None:
    return registration_of(user, edition)


def registration_get_for(user: Any, *, edition: Edition, pk: int) -> Registration:
    registration = (
        Registration.objects.select_related("user", "organisation", "edition")
        .filter(edition=edition, pk=pk)
        .first()
    )
    if registration is None or not can(user, "view", registration):
        raise RegistrationNotFound(_("Inscription introuvable."))
    return registration


def registration_by_badge(user: Any, *, edition: Edition, token: str) -> Registration:
    """The registration of a badge's QR code, for the organisers at the welcome desk."""
    require(user, "manage", edition)
    registration = (
        Registration.objects.select_related("user", "organisation")
        .filter(edition=edition, badge_token=token)
        .first()
    )
    if registration is None:
        raise RegistrationNotFound(_("Badge inconnu pour cette édition."))
    return registration


def registrations_for_organisers(
    user: Any, edition: Edition, *, status: str = "", query: str = "", checked_in: str = ""
) -> QuerySet[Registration]:
    require(user, "manage", edition)
    qs = Registration.objects.select_related("user", "organisation").filter(edition=edition)
    if status in RegistrationStatus.values:
        qs = qs.filter(status=status)
    if checked_in == "1":
        qs = qs.filter(checked_in_at__isnull=False)
    elif checked_in == "0":
        qs = qs.filter(checked_in_at__isnull=True)
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(user__full_name__icontains=query)
            | Q(user__email__icontains=query)
            | Q(organisation__name__icontains=query)
        )
    return qs.order_by("user__full_name", "pk")


def registration_counts(edition: Edition) -> dict[str, int]:
    rows = Registration.objects.filter(edition=edition).values("status").annotate(n=Count("pk"))
    counts = {row["status"]: row["n"] for row in rows}
    counts["checked_in"] = Registration.objects.filter(
        edition=edition, checked_in_at__isnull=False
    ).count()
    return counts


# --- participants and suggestions ----------------------------------------------------------------


def meetable(edition: Edition) -> QuerySet[Registration]:
    """Approved participants who take part in business meetings."""
    return Registration.objects.filter(
        edition=edition, status=RegistrationStatus.APPROVED, wants_meetings=True
    )


@dataclass
class ParticipantRow:
    registration: Registration
    wish: str = ""  # the viewer's mark on this participant
    request: MeetingRequest | None = None  # pending or accepted request between the two
    reasons: list[str] = field(default_factory=list)


def participants_for(
    user: Any,
    edition: Edition,
    *,
    query: str = "",
    participant_type: str = "",
    wish: str = "",
) -> list[ParticipantRow]:
    """The participants one may meet, with the viewer's marks and open requests."""
    require(user, "browse_participants", edition)
    me = registration_of(user, edition)
    qs = meetable(edition).select_related("user", "organisation").order_by("user__full_name", "pk")
    if me is not None:
        qs = qs.exclude(pk=me.pk)
    if participant_type in ParticipantType.values:
        qs = qs.filter(participant_type=participant_type)
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(user__full_name__icontains=query)
            | Q(organisation__name__icontains=query)
            | Q(offers__icontains=query)
            | Q(seeks__icontains=query)
            | Q(job_title__icontains=query)
        )
    wishes: dict[int, str] = {}
    requests: dict[int, MeetingRequest] = {}
    if me is not None:
        wishes = dict(MeetingWish.objects.filter(author=me).values_list("target_id", "level"))
        for request in MeetingRequest.objects.filter(
            Q(sender=me) | Q(recipient=me),
            status__in=[RequestStatus.PENDING, RequestStatus.ACCEPTED],
        ):
            other = request.recipient_id if request.sender_id == me.pk else request.sender_id  # type: ignore[attr-defined]
            requests[other] = request
    rows = [ParticipantRow(r, wishes.get(r.pk, ""), requests.get(r.pk)) for r in qs]
    if wish == "none":
        rows = [row for row in rows if not row.wish]
    elif wish:
        rows = [row for row in rows if row.wish == wish]
    return rows


def suggestions_for(
    user: Any,
    edition: Edition,
    *,
    limit: int = 8,
    participants: list[ParticipantRow] | None = None,
) -> list[ParticipantRow]:
    """Participants to meet, ranked by the market's matching service: what the viewer seeks
    (and their organisation's sectors) against what the others offer, with the reasons.
    Participants already marked or requested are left out. `participants`: the unfiltered
    `participants_for(user, edition)` when the caller already has it."""
    from mediane.market.matching_adapter import describe, sector_labels
    from mediane.matching import ranker

    me = registration_of(user, edition)
    if me is None or not me.is_approved:
        return []
    if participants is None:
        participants = participants_for(user, edition)
    rows = {row.registration.pk: row for row in participants}
    candidates_regs = [
        row.registration for row in rows.values() if not row.wish and row.request is None
    ]
    if not candidates_regs:
        return []
    my_sectors = _sectors_of([me])
    profile = ranker.ChallengeProfile(
        id=me.pk,
        title=me.seeks.split("\n", 1)[0][:200] or (me.organisation.name if me.organisation else ""),
        description=f"{me.seeks}\n{me.offers}",
        sectors=tuple(my_sectors.get(me.pk, ())),
        country=me.organisation.country if me.organisation else "",
    )
    version = (
        meetable(edition).aggregate(m=Max("updated_at"), n=Count("pk")),
        me.updated_at,
        len(candidates_regs),
    )
    key = f"summit:suggest:{me.pk}:{hash(str(version))}"
    ranked_ids: list[tuple[int, list[Any]]] | None = cache.get(key)
    if ranked_ids is None:
        sectors = _sectors_of(candidates_regs)
        candidates = [
            ranker.Candidate(
                id=reg.pk,
                name=reg.organisation.name if reg.organisation else reg.display_name,
                kind=reg.organisation.kind if reg.organisation else "",
                country=reg.organisation.country if reg.organisation else "",
                description=" ".join(
                    part
                    for part in (
                        reg.offers,
                        reg.job_title,
                        reg.organisation.summary if reg.organisation else "",
                    )
                    if part
                ),
                sectors=tuple(sectors.get(reg.pk, ())),
            )
            for reg in candidates_regs
        ]
        # What a participant seeks has no scene: all of it is the need.
        weights = replace(ranker.DEFAULT_WEIGHTS, scene=1.0, scene_contrast=0.0)
        ranked = [
            r for r in ranker.rank(profile, candidates, limit=limit, weights=weights) if r.score > 0
        ]
        ranked_ids = [(r.candidate.id, list(r.reasons)) for r in ranked]
        cache.set(key, ranked_ids, 600)
    labels = sector_labels()
    result = []
    for pk, reasons in ranked_ids:
        row = rows.get(pk)
        if row is not None:
            row.reasons = [describe(reason, labels) for reason in reasons[:3]]
            result.append(row)
    return result


def _sectors_of(registrations: list[Registration]) -> dict[int, list[str]]:
    from mediane.directory.models import Organisation

    org_ids = {r.organisation_id for r in registrations if r.organisation_id}  # type: ignore[attr-defined]
    by_org: dict[int, list[str]] = defaultdict(list)
    for org_id, slug in Organisation.sectors.through.objects.filter(
        organisation_id__in=org_ids
    ).values_list("organisation_id", "sector__slug"):
        by_org[org_id].append(slug)
    return {r.pk: by_org.get(r.organisation_id or 0, []) for r in registrations}  # type: ignore[attr-defined]


def requests_for(user: Any, edition: Edition) -> tuple[list[MeetingRequest], list[MeetingRequest]]:
    """(received, sent) requests of the viewer for this edition, the open ones first."""
    me = registration_of(user, edition)
    if me is None:
        return [], []
    base = MeetingRequest.objects.select_related(
        "sender__user", "sender__organisation", "recipient__user", "recipient__organisation"
    )
    order = ["-created_at"]
    received = list(base.filter(recipient=me).order_by(*order))
    sent = list(base.filter(sender=me).order_by(*order))
    key = lambda r: r.status != RequestStatus.PENDING  # noqa: E731
    return sorted(received, key=key), sorted(sent, key=key)


# --- agendas ---------------------------------------------------------------------------------


def agenda_for(registration: Registration) -> list[Meeting]:
    """The published meetings of a participant, in time order."""
    edition = registration.edition
    if edition.published_run_id is None:  # type: ignore[attr-defined]
        return []
    return list(
        Meeting.objects.select_related(
            "slot",
            "table__room",
            "first__user",
            "first__organisation",
            "second__user",
            "second__organisation",
        )  # fmt: skip
        .filter(run_id=edition.published_run_id, slot__isnull=False)  # type: ignore[attr-defined]
        .filter(Q(first=registration) | Q(second=registration))
        .order_by("slot__starts_at")
    )


def meeting_get_for(user: Any, *, edition: Edition, pk: int, action: str = "view") -> Meeting:
    meeting = (
        Meeting.objects.select_related(
            "edition", "run", "slot", "table", "first__user", "second__user"
        )
        .filter(edition=edition, pk=pk)
        .first()
    )
    if meeting is None or not can(user, "view", meeting) or not can(user, action, meeting):
        raise MeetingNotFound(_("Rendez-vous introuvable."))
    return meeting


def latest_run(user: Any, edition: Edition) -> ScheduleRun | None:
    require(user, "manage", edition)
    return edition.runs.order_by("-created_at").first()  # type: ignore[attr-defined]


def run_get_for(user: Any, *, edition: Edition, pk: int) -> ScheduleRun:
    run = ScheduleRun.objects.filter(edition=edition, pk=pk).first()
    if run is None or not can(user, "view", run):
        raise EditionNotFound(_("Calcul introuvable."))
    return run


# --- return on investment ------------------------------------------------------------------------


@dataclass
class Roi:
    meetings: int = 0
    with_outcome: int = 0
    took_place: int = 0
    results: dict[str, int] = field(default_factory=dict)
    amount: Decimal = Decimal("0")
    by_city: list[dict[str, Any]] = field(default_factory=list)


def roi(user: Any, edition: Edition, *, organisation_id: int | None = None) -> Roi:
    """What the published meetings led to, by the best result either side recorded. With
    `organisation_id`: only that organisation's meetings (a city's own return); the organisers
    see every city, a city's members see their own."""
    from mediane.core.permissions import has_role

    if organisation_id is None:
        require(user, "manage", edition)
    elif not (is_organiser(user, edition) or has_role(user, organisation_id, "member")):
        raise EditionNotFound(_("Édition introuvable."))
    result = Roi()
    if edition.published_run_id is None:  # type: ignore[attr-defined]
        return result
    meetings = Meeting.objects.filter(run_id=edition.published_run_id, slot__isnull=False)  # type: ignore[attr-defined]
    if organisation_id is not None:
        meetings = meetings.filter(
            Q(first__organisation_id=organisation_id) | Q(second__organisation_id=organisation_id)
        )
    rank = {value: i for i, value in enumerate(OutcomeResult.values)}
    meetings = meetings.select_related(
        "first__organisation", "second__organisation"
    ).prefetch_related(Prefetch("outcomes", queryset=MeetingOutcome.objects.all()))
    per_city: dict[int, Counter[str]] = defaultdict(Counter)
    city_names: dict[int, str] = {}
    results: Counter[str] = Counter()
    for meeting in meetings:
        result.meetings += 1
        outcomes = list(meeting.outcomes.all())  # type: ignore[attr-defined]
        best = ""
        if outcomes:
            result.with_outcome += 1
            if any(o.took_place for o in outcomes):
                result.took_place += 1
                best = max((o.result for o in outcomes), key=lambda r: rank.get(r, 0))
                results[best] += 1
                result.amount += max((o.amount or Decimal(0)) for o in outcomes)
        for side in (meeting.first, meeting.second):
            org = side.organisation
            if side.participant_type == ParticipantType.CITY and org is not None:
                city_names[org.pk] = org.name
                per_city[org.pk]["meetings"] += 1
                if best:
                    per_city[org.pk][best] += 1
    result.results = {value: results.get(value, 0) for value in OutcomeResult.values}
    result.by_city = sorted(
        (
            {"organisation_id": pk, "name": city_names[pk], **dict(counts)}
            for pk, counts in per_city.items()
        ),
        key=lambda row: (-row["meetings"], row["name"]),
    )
    return result


def can_manage(user: Any, edition: Edition) -> bool:
    return is_authenticated(user) and is_organiser(user, edition)
