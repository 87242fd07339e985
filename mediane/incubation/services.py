"""Every write of incubation: twinning agreements, host capacities, soft-landing requests and
the stays that follow (journal, outcomes).

Each function checks the actor's permission first, runs in one transaction, writes the audit
log and notifies the parties (topic "incubation").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mediane.accounts.models import Membership
from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.permissions import has_role, require
from mediane.core.services import audit_record
from mediane.directory.models import Organisation
from mediane.incubation import search
from mediane.incubation.models import (
    HOLDING_STATUSES,
    INCUBATOR_KINDS,
    STARTUP_KINDS,
    AgreementStatus,
    HostCapacity,
    Need,
    RequestStatus,
    SoftLandingRequest,
    StayNote,
    StayOutcome,
    TwinningAgreement,
)
from mediane.notifications.services import notify

TOPIC = "incubation"
#: The longest stay one request may ask for.
MAX_STAY_DAYS = 180


def _people(*organisations: Organisation | int, minimum: str = "member") -> list[Any]:
    """Active users of these organisations with at least the `minimum` role."""
    roles = {"member": ["member", "editor", "admin"], "editor": ["editor", "admin"]}[minimum]
    ids = [o if isinstance(o, int) else o.pk for o in organisations]
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id__in=ids, role__in=roles, user__is_active=True
        ).select_related("user")
    ]


def _day(value: date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _announce(
    target: SoftLandingRequest | TwinningAgreement,
    *,
    actor: Any,
    recipients: Iterable[Any],
    verb: str,
    title: str,
    action: str,
    organisation: Organisation,
    changes: dict[str, Any] | None = None,
) -> None:
    """Notify the parties of a write on `target`, then record it in the audit log."""
    notify(
        recipients=recipients,
        topic=TOPIC,
        verb=verb,
        title=title,
        url=target.get_absolute_url(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        target=target,
    )
    audit_record(actor=actor, action=action, obj=target, organisation=organisation, changes=changes)


def _check_agreement_fields(
    *, first: Organisation, second: Organisation, title: str, start: date, end: date | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Donnez un intitulé à l'accord.")]
    if first.pk == second.pk:
        errors["second"] = [_("Un jumelage réunit deux organisations différentes.")]
    for field, org in (("first", first), ("second", second)):
        if org.kind not in INCUBATOR_KINDS:
            errors.setdefault(field, []).append(
                _("« %(name)s » n'est ni un incubateur, ni un accélérateur, ni un tiers-lieu.")
                % {"name": org.name}
            )
    if end is not None and end < start:
        errors["end"] = [_("La fin de l'accord ne peut précéder son début.")]
    return errors


@transaction.atomic
def twinning_create(
    *,
    actor: Any,
    first: Organisation,
    second: Organisation,
    title: str,
    start: date,
    end: date | None = None,
    scope: str = "",
    programme: str = "",
    signed: bool = False,
) -> TwinningAgreement:
    """Propose a twinning agreement from `first` to `second` (an admin of `first` or the
    secretariat); with `signed=True` it is recorded as signed at once, which needs the right to
    sign it (an admin of `second`, or the secretariat for an agreement signed on paper)."""
    agreement = TwinningAgreement(
        first=first,
        second=second,
        title=title.strip(),
        start=start,
        end=end,
        scope=scope.strip(),
        programme=programme.strip(),
        status=AgreementStatus.PROPOSED,
        proposed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    require(actor, "propose", agreement)
    if signed:
        require(actor, "sign", agreement)
    errors = _check_agreement_fields(first=first, second=second, title=title, start=start, end=end)
    if errors:
        raise ValidationFailed(_("L'accord de jumelage est incomplet."), field_errors=errors)
    if signed:
        agreement.status = AgreementStatus.SIGNED
        agreement.signed_by = agreement.proposed_by
        agreement.signed_at = timezone.now()
    agreement.save()
    search.index(agreement)
    _announce(
        agreement,
        actor=actor,
        recipients=_people(second, first) if signed else _people(second, minimum="editor"),
        verb="agreement_signed" if signed else "agreement_proposed",
        title=(
            _("Accord de jumelage signé : %(title)s") % {"title": agreement.title}
            if signed
            else _("%(name)s vous propose un jumelage : %(title)s")
            % {"name": first.name, "title": agreement.title}
        ),
        action="incubation.agreement_signed" if signed else "incubation.agreement_proposed",
        organisation=first,
        changes={"first": first.pk, "second": second.pk, "start": start, "end": end},
    )
    return agreement


def _contact_errors(agreement: TwinningAgreement, first_contact: Any, second_contact: Any) -> dict:
    errors: dict[str, list[str]] = {}
    for field, person, side in (
        ("first_contact", first_contact, agreement.first_id),  # type: ignore[attr-defined]
        ("second_contact", second_contact, agreement.second_id),  # type: ignore[attr-defined]
    ):
        if (
            person is not None
            and not Membership.objects.filter(user=person, organisation_id=side).exists()
        ):
            errors[field] = [_("Le contact doit être membre de l'organisation de ce côté.")]
    return errors


@transaction.atomic
def agreement_update(
    *,
    actor: Any,
    agreement: TwinningAgreement,
    title: str,
    start: date,
    end: date | None,
    scope: str = "",
    programme: str = "",
    first_contact: Any = None,
    second_contact: Any = None,
) -> TwinningAgreement:
    """Edit an agreement that is not ended (editors of either side, or the secretariat)."""
    agreement = TwinningAgreement.objects.select_for_update().get(pk=agreement.pk)
    require(actor, "change", agreement)
    errors = _check_agreement_fields(
        first=agreement.first, second=agreement.second, title=title, start=start, end=end
    )
    errors.update(_contact_errors(agreement, first_contact, second_contact))
    if (
        end is not None
        and agreement.requests.filter(  # type: ignore[attr-defined]
            status__in=HOLDING_STATUSES, end__gt=end
        ).exists()
    ):
        errors.setdefault("end", []).append(
            _("Des séjours acceptés se terminent après cette date : terminez-les ou déplacez-les.")
        )
    if errors:
        raise ValidationFailed(_("L'accord de jumelage n'a pas été modifié."), field_errors=errors)
    agreement.title = title.strip()
    agreement.start, agreement.end = start, end
    agreement.scope, agreement.programme = scope.strip(), programme.strip()
    agreement.first_contact, agreement.second_contact = first_contact, second_contact
    agreement.save()
    search.index(agreement)
    audit_record(
        actor=actor,
        action="incubation.agreement_updated",
        obj=agreement,
        organisation=agreement.first,
        changes={"start": start, "end": end},
    )
    return agreement


@transaction.atomic
def agreement_sign(*, actor: Any, agreement: TwinningAgreement) -> TwinningAgreement:
    """The other side's admin signs a proposed agreement: it is in force from its start."""
    agreement = TwinningAgreement.objects.select_for_update().get(pk=agreement.pk)
    require(actor, "sign", agreement)
    agreement.status = AgreementStatus.SIGNED
    agreement.signed_by = actor if getattr(actor, "is_authenticated", False) else None
    agreement.signed_at = timezone.now()
    agreement.save(update_fields=["status", "signed_by", "signed_at", "updated_at"])
    search.index(agreement)
    _announce(
        agreement,
        actor=actor,
        recipients=_people(agreement.first, agreement.second),
        verb="agreement_signed",
        title=_("Accord de jumelage signé : %(title)s") % {"title": agreement.title},
        action="incubation.agreement_signed",
        organisation=agreement.second,
    )
    return agreement


@transaction.atomic
def agreement_end(*, actor: Any, agreement: TwinningAgreement, note: str = "") -> TwinningAgreement:
    """End a signed agreement (an admin of either side, or the secretariat). Stays already
    accepted or in progress under it must be finished or cancelled first."""
    agreement = TwinningAgreement.objects.select_for_update().get(pk=agreement.pk)
    require(actor, "end", agreement)
    if agreement.requests.filter(status__in=HOLDING_STATUSES).exists():  # type: ignore[attr-defined]
        raise Conflict(
            _(
                "Des séjours acceptés ou en cours dépendent de cet accord : "
                "terminez-les ou annulez-les avant de mettre fin au jumelage."
            ),
            code="stays_pending",
        )
    today = timezone.localdate()
    agreement.status = AgreementStatus.ENDED
    agreement.ended_at = timezone.now()
    agreement.end_note = note.strip()
    if agreement.end is None or agreement.end > today:
        agreement.end = max(today, agreement.start)
    agreement.save()
    # Requests still waiting under an ended agreement cannot be honoured any more.
    for pending in agreement.requests.filter(  # type: ignore[attr-defined]
        status__in=[RequestStatus.REQUESTED, RequestStatus.DATES_PROPOSED]
    ):
        pending.status = RequestStatus.CANCELLED
        pending.decision_note = _("L'accord de jumelage a pris fin.")
        pending.save(update_fields=["status", "decision_note", "updated_at"])
    search.index(agreement)
    _announce(
        agreement,
        actor=actor,
        recipients=_people(agreement.first, agreement.second),
        verb="agreement_ended",
        title=_("Fin de l'accord de jumelage : %(title)s") % {"title": agreement.title},
        action="incubation.agreement_ended",
        organisation=agreement.first,
        changes={"note": agreement.end_note},
    )
    return agreement


# --- host capacity ---------------------------------------------------------------------------


@transaction.atomic
def capacity_set(
    *, actor: Any, host: Organisation, start: date, end: date, places: int, note: str = ""
) -> HostCapacity:
    """Declare how many start-ups `host` receives at the same time from `start` to `end`.

    Periods of one host do not overlap. Lowering a period below the stays already accepted in
    it is refused."""
    capacity = HostCapacity(host=host, start=start, end=end, places=places, note=note.strip())
    require(actor, "manage", capacity)
    Organisation.objects.select_for_update().filter(pk=host.pk).first()
    errors: dict[str, list[str]] = {}
    if host.kind not in INCUBATOR_KINDS:
        errors["host"] = [_("Seuls les incubateurs, accélérateurs et tiers-lieux accueillent.")]
    if end < start:
        errors["end"] = [_("La fin de la période ne peut précéder son début.")]
    if places < 0 or places > 500:
        errors["places"] = [_("Indiquez un nombre de places entre 0 et 500.")]
    if (
        not errors
        and HostCapacity.objects.filter(host=host, start__lte=end, end__gte=start).exists()
    ):
        errors["start"] = [_("Cette période chevauche une période déjà déclarée.")]
    if errors:
        raise ValidationFailed(
            _("La capacité d'accueil n'a pas été enregistrée."), field_errors=errors
        )
    capacity.save()
    busiest = _busiest_day(host.pk, start, end)
    if busiest is not None and busiest[1] > places:
        raise ValidationFailed(
            _(
                "Le %(day)s, %(count)d start-up(s) sont déjà attendues : "
                "prévoyez au moins %(count)d place(s)."
            )
            % {"day": _day(busiest[0]), "count": busiest[1]},
            field_errors={"places": [_("Au moins %(count)d.") % {"count": busiest[1]}]},
        )
    audit_record(
        actor=actor,
        action="incubation.capacity_set",
        obj=capacity,
        organisation=host,
        changes={"start": start, "end": end, "places": places},
    )
    return capacity


@transaction.atomic
def capacity_delete(*, actor: Any, capacity: HostCapacity) -> None:
    require(actor, "manage", capacity)
    Organisation.objects.select_for_update().filter(pk=capacity.host_id).first()  # type: ignore[attr-defined]
    if _held(capacity.host_id, capacity.start, capacity.end).exists():  # type: ignore[attr-defined]
        raise Conflict(
            _("Des séjours acceptés occupent cette période : modifiez-la plutôt que la supprimer."),
            code="capacity_in_use",
        )
    audit_record(
        actor=actor,
        action="incubation.capacity_deleted",
        obj=capacity,
        organisation=capacity.host,
        changes={"start": capacity.start, "end": capacity.end, "places": capacity.places},
    )
    capacity.delete()


def _held(host_id: int, start: date, end: date) -> QuerySet[SoftLandingRequest]:
    """The stays holding a place at `host` on some day of [start, end]."""
    return SoftLandingRequest.objects.filter(
        host_id=host_id, status__in=HOLDING_STATUSES, start__lte=end, end__gte=start
    )


def _busiest_day(host_id: int, start: date, end: date) -> tuple[date, int] | None:
    """The day of [start, end] with the most held stays at `host`, and that count."""
    stays = list(_held(host_id, start, end).values_list("start", "end"))
    best: tuple[date, int] | None = None
    day = start
    while day <= end:
        count = sum(1 for s, e in stays if s <= day <= e)
        if best is None or count > best[1]:
            best = (day, count)
        day += timedelta(days=1)
    return best


def check_capacity(*, host_id: int, start: date, end: date, exclude: int | None = None) -> None:
    """Raise Conflict unless `host` has a free place on every day of [start, end].

    A day no declared period covers has no place. Call it under the host's row lock."""
    periods = list(
        HostCapacity.objects.filter(host_id=host_id, start__lte=end, end__gte=start).values_list(
            "start", "end", "places"
        )
    )
    stays = list(_held(host_id, start, end).exclude(pk=exclude or 0).values_list("start", "end"))
    day = start
    while day <= end:
        places = next((p for s, e, p in periods if s <= day <= e), None)
        if places is None:
            raise Conflict(
                _(
                    "Aucune capacité d'accueil n'est déclarée pour le %(day)s : "
                    "déclarez une période d'accueil avant d'accepter."
                )
                % {"day": _day(day)},
                code="no_capacity",
            )
        taken = sum(1 for s, e in stays if s <= day <= e)
        if taken >= places:
            raise Conflict(
                _(
                    "Capacité atteinte le %(day)s : %(places)d place(s), "
                    "%(taken)d start-up(s) déjà accueillie(s). Proposez d'autres dates."
                )
                % {"day": _day(day), "places": places, "taken": taken},
                code="capacity_exceeded",
            )
        day += timedelta(days=1)


# --- soft-landing requests -------------------------------------------------------------------


def _check_dates(start: date | None, end: date | None, prefix: str = "") -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if start is None:
        errors[f"{prefix}start"] = [_("Indiquez la date d'arrivée.")]
    if end is None:
        errors[f"{prefix}end"] = [_("Indiquez la date de départ.")]
    if start is None or end is None:
        return errors
    if end < start:
        errors[f"{prefix}end"] = [_("Le départ ne peut précéder l'arrivée.")]
    elif (end - start).days + 1 > MAX_STAY_DAYS:
        errors[f"{prefix}end"] = [
            _("Un séjour dure au plus %(days)d jours.") % {"days": MAX_STAY_DAYS}
        ]
    if start < timezone.localdate():
        errors[f"{prefix}start"] = [_("L'arrivée ne peut être dans le passé.")]
    return errors


def _agreement_covers(agreement: TwinningAgreement, start: date, end: date) -> bool:
    return (
        agreement.status == AgreementStatus.SIGNED
        and agreement.start <= start
        and (agreement.end is None or end <= agreement.end)
    )


@transaction.atomic
def request_create(
    *,
    actor: Any,
    startup: Organisation,
    agreement: TwinningAgreement,
    home: Organisation,
    start: date,
    end: date,
    needs: Iterable[str] = (),
    needs_other: str = "",
    message: str = "",
) -> SoftLandingRequest:
    """A start-up (its editors) asks the incubator on the other side of `agreement` from its
    home incubator `home` to host it from `start` to `end`."""
    agreement = TwinningAgreement.objects.select_related("first", "second").get(pk=agreement.pk)
    host = agreement.other_side(home.pk)
    request = SoftLandingRequest(
        startup=startup,
        agreement=agreement,
        home=home,
        host=host,
        start=start,
        end=end,
        requested_start=start,
        requested_end=end,
        needs=sorted(set(needs)),
        needs_other=needs_other.strip(),
        message=message.strip(),
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    require(actor, "create", request)
    errors = _check_dates(start, end)
    if startup.kind not in STARTUP_KINDS:
        errors["startup"] = [_("Seules les start-up et PME demandent un accueil.")]
    if home.pk not in agreement.side_ids():
        errors["home"] = [_("Votre incubateur d'origine n'est pas partie à cet accord.")]
    elif not errors and not _agreement_covers(agreement, start, end):
        errors["agreement"] = [
            _("L'accord de jumelage n'est pas en vigueur pendant tout le séjour.")
        ]
    unknown = set(needs) - set(Need.values)
    if unknown:
        errors["needs"] = [_("Besoin inconnu : %(needs)s") % {"needs": ", ".join(sorted(unknown))}]
    if not needs and not needs_other.strip():
        errors.setdefault("needs", []).append(_("Indiquez au moins un besoin."))
    if (
        not errors
        and SoftLandingRequest.objects.filter(
            startup=startup,
            host=host,
            status__in=[*HOLDING_STATUSES, RequestStatus.REQUESTED, RequestStatus.DATES_PROPOSED],
            start__lte=end,
            end__gte=start,
        ).exists()
    ):
        errors["start"] = [_("Une demande auprès de cet incubateur couvre déjà ces dates.")]
    if errors:
        raise ValidationFailed(_("La demande d'accueil n'a pas été envoyée."), field_errors=errors)
    request.save()
    _announce(
        request,
        actor=actor,
        recipients=[*_people(host, minimum="editor"), *_people(home)],
        verb="request_created",
        title=_("%(startup)s demande un accueil du %(start)s au %(end)s")
        % {"startup": startup.name, "start": _day(start), "end": _day(end)},
        action="incubation.request_created",
        organisation=startup,
        changes={"host": host.pk, "start": start, "end": end, "needs": request.needs},
    )
    return request


def _locked(request: SoftLandingRequest) -> SoftLandingRequest:
    """The request again, with the host's organisation row locked: every change that holds
    or frees a place of its capacity is serialised per host."""
    Organisation.objects.select_for_update().filter(pk=request.host_id).first()  # type: ignore[attr-defined]
    return (
        SoftLandingRequest.objects.select_for_update(of=("self",))
        .select_related("startup", "home", "host", "agreement")
        .get(pk=request.pk)
    )


def _everyone(request: SoftLandingRequest) -> list[Any]:
    return _people(request.startup, request.home, request.host)


def _hold(request: SoftLandingRequest, start: date, end: date) -> None:
    if not _agreement_covers(request.agreement, start, end):
        raise Conflict(
            _("L'accord de jumelage n'est pas en vigueur pendant tout le séjour."),
            code="agreement_not_in_force",
        )
    check_capacity(host_id=request.host_id, start=start, end=end, exclude=request.pk)  # type: ignore[attr-defined]


def _decide(request: SoftLandingRequest, *, actor: Any, status: str, note: str) -> None:
    """Record the host's decision on `request`: its new status, the note and who decided."""
    request.status = status
    request.decision_note = note.strip()
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save()


@transaction.atomic
def request_accept(
    *, actor: Any, request: SoftLandingRequest, note: str = ""
) -> SoftLandingRequest:
    """The host accepts the requested dates, if a place is free on every day of the stay."""
    request = _locked(request)
    require(actor, "decide", request)
    _hold(request, request.start, request.end)
    _decide(request, actor=actor, status=RequestStatus.ACCEPTED, note=note)
    _announce(
        request,
        actor=actor,
        recipients=_everyone(request),
        verb="request_accepted",
        title=_("%(host)s accueille %(startup)s du %(start)s au %(end)s")
        % {
            "host": request.host.name,
            "startup": request.startup.name,
            "start": _day(request.start),
            "end": _day(request.end),
        },
        action="incubation.request_accepted",
        organisation=request.host,
    )
    return request


@transaction.atomic
def request_propose_dates(
    *, actor: Any, request: SoftLandingRequest, start: date | None, end: date | None, note: str = ""
) -> SoftLandingRequest:
    """The host proposes other dates; the start-up accepts or declines them."""
    request = _locked(request)
    require(actor, "decide", request)
    errors = _check_dates(start, end, prefix="proposed_")
    if not errors and start == request.start and end == request.end:
        errors["proposed_start"] = [_("Ce sont les dates demandées : acceptez plutôt la demande.")]
    if not errors and not _agreement_covers(request.agreement, start, end):  # type: ignore[arg-type]
        errors["proposed_end"] = [_("L'accord de jumelage n'est pas en vigueur à ces dates.")]
    if errors:
        raise ValidationFailed(_("Les dates proposées ne conviennent pas."), field_errors=errors)
    request.proposed_start, request.proposed_end = start, end
    _decide(request, actor=actor, status=RequestStatus.DATES_PROPOSED, note=note)
    _announce(
        request,
        actor=actor,
        recipients=_people(request.startup, request.home),
        verb="dates_proposed",
        title=_("%(host)s propose d'accueillir %(startup)s du %(start)s au %(end)s")
        % {
            "host": request.host.name,
            "startup": request.startup.name,
            "start": _day(start),  # type: ignore[arg-type]
            "end": _day(end),  # type: ignore[arg-type]
        },
        action="incubation.dates_proposed",
        organisation=request.host,
        changes={"start": start, "end": end},
    )
    return request


@transaction.atomic
def request_decline(*, actor: Any, request: SoftLandingRequest, reason: str) -> SoftLandingRequest:
    """The host declines; the reason is required and shown to the start-up."""
    request = _locked(request)
    require(actor, "decide", request)
    if not reason.strip():
        raise ValidationFailed(
            _("Indiquez le motif du refus."),
            field_errors={"reason": [_("Le motif est obligatoire.")]},
        )
    _decide(request, actor=actor, status=RequestStatus.DECLINED, note=reason)
    _announce(
        request,
        actor=actor,
        recipients=_people(request.startup, request.home),
        verb="request_declined",
        title=_("%(host)s ne peut pas accueillir %(startup)s")
        % {"host": request.host.name, "startup": request.startup.name},
        action="incubation.request_declined",
        organisation=request.host,
        changes={"reason": request.decision_note},
    )
    return request


@transaction.atomic
def request_accept_dates(*, actor: Any, request: SoftLandingRequest) -> SoftLandingRequest:
    """The start-up accepts the dates the host proposed: the stay is accepted on them, if a place
    is still free on every day."""
    request = _locked(request)
    require(actor, "respond", request)
    start, end = request.proposed_start, request.proposed_end
    assert start is not None and end is not None
    if start < timezone.localdate():
        raise Conflict(
            _("Les dates proposées sont passées : faites une nouvelle demande."), code="past"
        )
    _hold(request, start, end)
    request.start, request.end = start, end
    request.status = RequestStatus.ACCEPTED
    request.save()
    _announce(
        request,
        actor=actor,
        recipients=_everyone(request),
        verb="request_accepted",
        title=_("%(startup)s accepte les dates proposées par %(host)s : du %(start)s au %(end)s")
        % {
            "startup": request.startup.name,
            "host": request.host.name,
            "start": _day(start),
            "end": _day(end),
        },
        action="incubation.dates_accepted",
        organisation=request.startup,
        changes={"start": start, "end": end},
    )
    return request


@transaction.atomic
def request_cancel(
    *, actor: Any, request: SoftLandingRequest, note: str = "", declining_dates: bool = False
) -> SoftLandingRequest:
    """The start-up cancels its request (or its accepted stay), or declines the proposed dates."""
    request = _locked(request)
    require(actor, "respond" if declining_dates else "cancel", request)
    request.status = RequestStatus.CANCELLED
    request.decision_note = note.strip() or (
        _("Dates proposées déclinées par la start-up.")
        if declining_dates
        else _("Annulée par la start-up.")
    )
    request.save()
    _announce(
        request,
        actor=actor,
        recipients=[*_people(request.host, minimum="editor"), *_people(request.home)],
        verb="dates_declined" if declining_dates else "request_cancelled",
        title=(
            _("%(startup)s décline les dates proposées")
            if declining_dates
            else _("%(startup)s annule sa demande d'accueil")
        )
        % {"startup": request.startup.name},
        action="incubation.request_cancelled",
        organisation=request.startup,
        changes={"note": request.decision_note},
    )
    return request


@transaction.atomic
def stay_start(*, actor: Any, request: SoftLandingRequest) -> SoftLandingRequest:
    """The stay begins (an editor of either incubator, from its first day)."""
    request = _locked(request)
    require(actor, "follow", request)
    if request.status != RequestStatus.ACCEPTED:
        raise Conflict(_("Seul un séjour accepté peut commencer."), code="invalid_status")
    if timezone.localdate() < request.start:
        raise Conflict(
            _("Le séjour commence le %(day)s : revenez ce jour-là.") % {"day": _day(request.start)},
            code="too_early",
        )
    request.status = RequestStatus.IN_PROGRESS
    request.started_at = timezone.now()
    request.save()
    _announce(
        request,
        actor=actor,
        recipients=_everyone(request),
        verb="stay_started",
        title=_("Séjour de %(startup)s chez %(host)s commencé")
        % {"startup": request.startup.name, "host": request.host.name},
        action="incubation.stay_started",
        organisation=request.host,
    )
    return request


@transaction.atomic
def stay_complete(*, actor: Any, request: SoftLandingRequest) -> SoftLandingRequest:
    """The stay is over (an editor of either incubator); its place is freed from today."""
    request = _locked(request)
    require(actor, "follow", request)
    if request.status != RequestStatus.IN_PROGRESS:
        raise Conflict(_("Seul un séjour en cours peut se terminer."), code="invalid_status")
    today = timezone.localdate()
    if today < request.end:
        request.end = max(today, request.start)
    request.status = RequestStatus.COMPLETED
    request.completed_at = timezone.now()
    request.save()
    _announce(
        request,
        actor=actor,
        recipients=_everyone(request),
        verb="stay_completed",
        title=_("Séjour de %(startup)s chez %(host)s terminé")
        % {"startup": request.startup.name, "host": request.host.name},
        action="incubation.stay_completed",
        organisation=request.host,
    )
    return request


def _side_of(actor: Any, request: SoftLandingRequest) -> Organisation:
    """The incubator the actor writes for: the host when they edit both."""
    if has_role(actor, request.host_id, "editor"):  # type: ignore[attr-defined]
        return request.host
    if has_role(actor, request.home_id, "editor"):  # type: ignore[attr-defined]
        return request.home
    return request.host  # the superuser


@transaction.atomic
def stay_note_add(*, actor: Any, request: SoftLandingRequest, body: str) -> StayNote:
    """A note in the journal of the stay, shared by both incubators."""
    request = _locked(request)
    require(actor, "follow", request)
    if not body.strip():
        raise ValidationFailed(
            _("La note est vide."), field_errors={"body": [_("Écrivez la note.")]}
        )
    side = _side_of(actor, request)
    note = StayNote.objects.create(
        request=request, organisation=side, author=actor, at=timezone.now(), body=body.strip()
    )
    other = request.home if side.pk == request.host_id else request.host  # type: ignore[attr-defined]
    _announce(
        request,
        actor=actor,
        recipients=_people(other, minimum="editor"),
        verb="stay_note",
        title=_("Nouvelle note de %(side)s sur le séjour de %(startup)s")
        % {"side": side.name, "startup": request.startup.name},
        action="incubation.stay_note_added",
        organisation=side,
    )
    return note


@transaction.atomic
def stay_outcome_record(
    *,
    actor: Any,
    request: SoftLandingRequest,
    contacts_made: int = 0,
    contracts_signed: int = 0,
    contracts_amount: Decimal | None = None,
    currency: str = "EUR",
    jobs_created: int = 0,
    notes: str = "",
) -> StayOutcome:
    """Record (or correct) the outcomes of a stay as seen by the actor's incubator."""
    request = _locked(request)
    require(actor, "record_outcome", request)
    errors: dict[str, list[str]] = {}
    for field, value in (
        ("contacts_made", contacts_made),
        ("contracts_signed", contracts_signed),
        ("jobs_created", jobs_created),
    ):
        if value is None or value < 0 or value > 100000:
            errors[field] = [_("Indiquez un nombre entre 0 et 100 000.")]
    if contracts_amount is not None and contracts_amount < 0:
        errors["contracts_amount"] = [_("Le montant ne peut être négatif.")]
    if currency not in ("EUR", "CAD"):
        errors["currency"] = [_("Devise inconnue.")]
    if contracts_amount and not contracts_signed:
        errors.setdefault("contracts_signed", []).append(
            _("Un montant sans contrat signé : indiquez le nombre de contrats.")
        )
    if errors:
        raise ValidationFailed(_("Les résultats n'ont pas été enregistrés."), field_errors=errors)
    side = _side_of(actor, request)
    outcome, _created = StayOutcome.objects.update_or_create(
        request=request,
        organisation=side,
        defaults={
            "recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
            "contacts_made": contacts_made,
            "contracts_signed": contracts_signed,
            "contracts_amount": contracts_amount,
            "currency": currency,
            "jobs_created": jobs_created,
            "notes": notes.strip(),
        },
    )
    other = request.home if side.pk == request.host_id else request.host  # type: ignore[attr-defined]
    _announce(
        request,
        actor=actor,
        recipients=[*_people(other, minimum="editor"), *_people(request.startup)],
        verb="stay_outcome",
        title=_("Résultats du séjour de %(startup)s enregistrés par %(side)s")
        % {"startup": request.startup.name, "side": side.name},
        action="incubation.outcome_recorded",
        organisation=side,
        changes={
            "contacts_made": contacts_made,
            "contracts_signed": contracts_signed,
            "contracts_amount": contracts_amount,
            "jobs_created": jobs_created,
        },
    )
    return outcome
