"""Every write of the summit: registration, approval, check-in, availability, wishes, requests,
scheduler runs, manual moves, publication and meeting outcomes.

Each service checks the actor's permission first (`core.permissions.require`), then the state
("when"), runs in one transaction, records an audit entry and notifies who needs to know.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.accounts.models import User
from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.permissions import require, user_roles
from mediane.core.services import audit_record
from mediane.directory.models import Organisation
from mediane.notifications.services import notify
from mediane.summit.models import (
    Edition,
    EditionStatus,
    HalfDay,
    HalfDayPreference,
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
    MeetingWish,
    OutcomeResult,
    ParticipantType,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    RequestStatus,
    WishLevel,
)
from mediane.summit.rules import is_organiser

TOPIC = "summit"
#: A pending request is reminded to its recipient when it expires within this delay.
REMINDER_BEFORE = timedelta(days=2)
MAX_TIME_LIMIT = 600
MESSAGE_MAX = 2000


def _organisers(edition: Edition) -> list[User]:
    """Who hears about registrations to approve: the organisers, else the secretariat."""
    people: dict[int, User] = {}
    if edition.organiser_id is not None:  # type: ignore[attr-defined]
        for user in User.objects.filter(
            is_active=True,
            memberships__organisation_id=edition.organiser_id,  # type: ignore[attr-defined]
            memberships__role__in=["editor", "admin"],
        ):
            people[user.pk] = user
    for reg in Registration.objects.select_related("user").filter(
        edition=edition,
        participant_type=ParticipantType.ORGANISER,
        status=RegistrationStatus.APPROVED,
    ):
        people[reg.user.pk] = reg.user
    if not people:
        people = {u.pk: u for u in User.objects.filter(is_active=True, is_secretariat=True)}
    return list(people.values())


def _edition_url(edition: Edition, name: str = "edition", *args: Any) -> str:
    return reverse(f"summit:{name}", args=[edition.slug, *args])


# --- registration --------------------------------------------------------------------------------


@transaction.atomic
def registration_create(
    *,
    actor: Any,
    edition: Edition,
    participant_type: str,
    organisation: Organisation | None = None,
    job_title: str = "",
    offers: str = "",
    seeks: str = "",
    wants_meetings: bool = True,
) -> Registration:
    """Register `actor` to `edition`; approved at once unless the organisers validate them."""
    require(actor, "register", edition)
    if edition.status != EditionStatus.PUBLISHED or not edition.registration_open:
        raise Conflict(_("Les inscriptions à cette édition ne sont pas ouvertes."))
    if edition.ends_on < timezone.localdate():
        raise Conflict(_("Cette édition est terminée."))
    if participant_type not in ParticipantType.values:
        raise ValidationFailed(
            _("Choisissez un type de participant."),
            field_errors={"participant_type": [_("Type de participant inconnu.")]},
        )
    organiser = is_organiser(actor, edition)
    if participant_type == ParticipantType.ORGANISER and not organiser:
        raise ValidationFailed(
            _("Seuls les organisateurs peuvent s'inscrire comme organisateurs."),
            field_errors={"participant_type": [_("Réservé aux organisateurs.")]},
        )
    if organisation is not None and organisation.pk not in user_roles(actor):
        raise ValidationFailed(
            _("Vous ne pouvez représenter qu'une organisation dont vous êtes membre."),
            field_errors={"organisation": [_("Vous n'êtes pas membre de cette organisation.")]},
        )
    if Registration.objects.filter(edition=edition, user=actor).exists():
        raise Conflict(_("Vous êtes déjà inscrit à cette édition."))
    approved = organiser or not edition.approval_required
    registration = Registration.objects.create(
        edition=edition,
        user=actor,
        organisation=organisation,
        participant_type=participant_type,
        job_title=job_title.strip()[:150],
        offers=offers.strip(),
        seeks=seeks.strip(),
        wants_meetings=wants_meetings,
        status=RegistrationStatus.APPROVED if approved else RegistrationStatus.PENDING,
        decided_at=timezone.now() if approved else None,
    )
    edition.__dict__.pop("_registrations", None)
    audit_record(actor=actor, action="summit.register", obj=registration, organisation=organisation)
    if not approved:
        notify(
            recipients=_organisers(edition),
            topic=TOPIC,
            verb="registration.pending",
            title=_("Inscription à valider : %(name)s (%(edition)s)")
            % {"name": registration.display_name, "edition": edition.title},
            url=_edition_url(edition, "registrations"),
            actor=actor,
            target=registration,
        )
    return registration


@transaction.atomic
def registration_update(
    *,
    actor: Any,
    registration: Registration,
    job_title: str,
    offers: str,
    seeks: str,
    wants_meetings: bool,
) -> Registration:
    require(actor, "change", registration)
    _require_not_closed(registration)
    registration.job_title = job_title.strip()[:150]
    registration.offers = offers.strip()
    registration.seeks = seeks.strip()
    registration.wants_meetings = wants_meetings
    registration.save(
        update_fields=["job_title", "offers", "seeks", "wants_meetings", "updated_at"]
    )
    audit_record(actor=actor, action="summit.registration.update", obj=registration)
    return registration


def _require_not_closed(registration: Registration) -> None:
    if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED):
        raise Conflict(_("Cette inscription est annulée ou refusée."))


@transaction.atomic
def registration_decide(
    *, actor: Any, registration: Registration, approve: bool, note: str = ""
) -> Registration:
    """Approve or decline a pending registration (organisers); the person is notified."""
    require(actor, "decide", registration)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.PENDING:
        raise Conflict(_("Cette inscription a déjà été traitée."))
    if not approve and not note.strip():
        raise ValidationFailed(
            _("Indiquez le motif du refus."), field_errors={"note": [_("Motif obligatoire.")]}
        )
    registration.status = RegistrationStatus.APPROVED if approve else RegistrationStatus.DECLINED
    registration.decided_at = timezone.now()
    registration.decision_note = note.strip()[:300]
    registration.save(update_fields=["status", "decided_at", "decision_note", "updated_at"])
    audit_record(
        actor=actor,
        action="summit.registration.approve" if approve else "summit.registration.decline",
        obj=registration,
        changes={"note": registration.decision_note},
    )
    edition = registration.edition
    if approve:
        title = _("Votre inscription à %(edition)s est validée.") % {"edition": edition.title}
    else:
        title = _("Votre inscription à %(edition)s n'a pas été retenue : %(note)s") % {
            "edition": edition.title,
            "note": registration.decision_note,
        }
    notify(
        recipients=[registration.user],
        topic=TOPIC,
        verb="registration.decided",
        title=title,
        url=_edition_url(edition, "my_registration"),
        actor=actor,
        target=registration,
    )
    return registration


@transaction.atomic
def registration_cancel(*, actor: Any, registration: Registration) -> Registration:
    """The person (or an organiser) cancels a registration; its open requests are cancelled."""
    require(actor, "change", registration)
    if registration.status == RegistrationStatus.CANCELLED:
        raise Conflict(_("Cette inscription est déjà annulée."))
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    MeetingRequest.objects.filter(
        Q(sender=registration) | Q(recipient=registration), status=RequestStatus.PENDING
    ).update(status=RequestStatus.CANCELLED, updated_at=timezone.now())
    audit_record(actor=actor, action="summit.registration.cancel", obj=registration)
    return registration


@transaction.atomic
def registration_check_in(*, actor: Any, registration: Registration) -> Registration:
    """Record the arrival of a participant at the welcome desk (badge scanned or searched)."""
    require(actor, "checkin", registration)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.APPROVED:
        raise Conflict(_("Cette inscription n'est pas validée : pas d'accueil possible."))
    if registration.checked_in_at is not None:
        local = timezone.localtime(
            registration.checked_in_at, zoneinfo.ZoneInfo(registration.edition.time_zone)
        )
        raise Conflict(
            _("Déjà accueilli le %(date)s à %(time)s.")
            % {"date": local.strftime("%d/%m/%Y"), "time": local.strftime("%H:%M")}
        )
    registration.checked_in_at = timezone.now()
    registration.checked_in_by = actor
    registration.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
    audit_record(actor=actor, action="summit.checkin", obj=registration)
    return registration


# --- availability --------------------------------------------------------------------------------


@transaction.atomic
def availability_update(
    *,
    actor: Any,
    registration: Registration,
    arrives_at: datetime | None,
    departs_at: datetime | None,
    half_day: str,
    unavailable_slots: Iterable[MeetingSlot] = (),
    attended_sessions: Iterable[ProgrammeSession] = (),
) -> Registration:
    """Arrival and departure, morning/afternoon preference, slots taken by other commitments."""
    require(actor, "change", registration)
    _require_not_closed(registration)
    edition = registration.edition
    errors: dict[str, list[str]] = {}
    if half_day not in HalfDayPreference.values:
        errors["half_day"] = [_("Choix inconnu.")]
    if arrives_at and departs_at and departs_at <= arrives_at:
        errors["departs_at"] = [_("Le départ doit suivre l'arrivée.")]
    slots = list(unavailable_slots)
    sessions = list(attended_sessions)
    if any(s.edition_id != edition.pk for s in slots):  # type: ignore[attr-defined]
        errors["unavailable_slots"] = [_("Créneau d'une autre édition.")]
    if any(s.edition_id != edition.pk for s in sessions):  # type: ignore[attr-defined]
        errors["attended_sessions"] = [_("Session d'une autre édition.")]
    if errors:
        raise ValidationFailed(_("Vérifiez vos disponibilités."), field_errors=errors)
    registration.arrives_at = arrives_at
    registration.departs_at = departs_at
    registration.half_day = half_day
    registration.save(update_fields=["arrives_at", "departs_at", "half_day", "updated_at"])
    registration.unavailable_slots.set(slots)
    registration.attended_sessions.set(sessions)
    audit_record(actor=actor, action="summit.availability", obj=registration)
    return registration


def available_slot_numbers(
    registration: Registration,
    slots: list[MeetingSlot],
    sessions_by_registration: dict[int, list[ProgrammeSession]] | None = None,
    unavailable_by_registration: dict[int, set[int]] | None = None,
) -> set[int]:
    """Numbers of the slots when `registration` can meet: within arrival and departure, not
    marked unavailable, not overlapping a session they attend, and in their half-day."""
    if unavailable_by_registration is not None:
        unavailable = unavailable_by_registration.get(registration.pk, set())
    else:
        unavailable = set(registration.unavailable_slots.values_list("pk", flat=True))
    if sessions_by_registration is not None:
        sessions = sessions_by_registration.get(registration.pk, [])
    else:
        sessions = list(registration.attended_sessions.all())
    result = set()
    for slot in slots:
        if slot.pk in unavailable:
            continue
        if registration.arrives_at and slot.starts_at < registration.arrives_at:
            continue
        if registration.departs_at and slot.ends_at > registration.departs_at:
            continue
        if registration.half_day and slot.half_day != registration.half_day:
            continue
        if any(s.starts_at < slot.ends_at and slot.starts_at < s.ends_at for s in sessions):
            continue
        result.add(slot.number)
    return result


@transaction.atomic
def slots_generate(
    *,
    actor: Any,
    edition: Edition,
    day: date,
    start: time,
    end: time,
    minutes: int,
    gap_minutes: int = 0,
    lunch_start: time | None = None,
    lunch_end: time | None = None,
) -> list[MeetingSlot]:
    """Add the meeting slots of one day (before `lunch_start`: morning, after: afternoon) and
    renumber every slot of the edition in time order. Refused once a schedule exists."""
    require(actor, "manage", edition)
    if edition.runs.exists():  # type: ignore[attr-defined]
        raise Conflict(_("Un planning a déjà été calculé : les créneaux ne peuvent plus changer."))
    errors: dict[str, list[str]] = {}
    if not edition.starts_on <= day <= edition.ends_on:
        errors["day"] = [_("Ce jour n'est pas un jour de l'édition.")]
    if not 5 <= minutes <= 120:
        errors["minutes"] = [_("Entre 5 et 120 minutes.")]
    if end <= start:
        errors["end"] = [_("La fin doit suivre le début.")]
    if errors:
        raise ValidationFailed(_("Vérifiez les créneaux."), field_errors=errors)
    zone = zoneinfo.ZoneInfo(edition.time_zone)
    noon = lunch_start or time(12, 30)
    current = datetime.combine(day, start, tzinfo=zone)
    stop = datetime.combine(day, end, tzinfo=zone)
    created: list[MeetingSlot] = []
    existing = list(MeetingSlot.objects.filter(edition=edition))
    while current + timedelta(minutes=minutes) <= stop:
        ends = current + timedelta(minutes=minutes)
        if lunch_start and lunch_end:
            lunch_a = datetime.combine(day, lunch_start, tzinfo=zone)
            lunch_b = datetime.combine(day, lunch_end, tzinfo=zone)
            if current < lunch_b and lunch_a < ends:
                current = lunch_b
                continue
        if any(s.starts_at < ends and current < s.ends_at for s in existing + created):
            raise Conflict(_("Ces créneaux chevauchent des créneaux existants."))
        half = (
            HalfDay.MORNING if current.timetz().replace(tzinfo=None) < noon else HalfDay.AFTERNOON
        )
        created.append(
            MeetingSlot(edition=edition, number=0, starts_at=current, ends_at=ends, half_day=half)
        )
        current = ends + timedelta(minutes=gap_minutes)
    if not created:
        raise ValidationFailed(_("Aucun créneau ne tient dans cette plage horaire."))
    all_slots = sorted(existing + created, key=lambda s: s.starts_at)
    # Renumber in two steps so the unique (edition, number) constraint holds throughout.
    for slot in existing:
        slot.number += 10000
        slot.save(update_fields=["number"])
    for n, slot in enumerate(all_slots, start=1):
        slot.number = n
        slot.save()
    audit_record(actor=actor, action="summit.slots", obj=edition, changes={"added": len(created)})
    return created


@transaction.atomic
def tables_set(*, actor: Any, edition: Edition, count: int) -> int:
    """Number the meeting tables 1..count (tables used by a schedule are never removed)."""
    require(actor, "manage", edition)
    if not 1 <= count <= 1000:
        raise ValidationFailed(_("Entre 1 et 1 000 tables."))
    have = set(MeetingTable.objects.filter(edition=edition).values_list("number", flat=True))
    MeetingTable.objects.bulk_create(
        [MeetingTable(edition=edition, number=n) for n in range(1, count + 1) if n not in have]
    )
    extra = MeetingTable.objects.filter(edition=edition, number__gt=count)
    if extra.filter(meetings__isnull=False).exists():
        raise Conflict(_("Des rendez-vous occupent des tables au-delà de ce nombre."))
    extra.delete()
    audit_record(actor=actor, action="summit.tables", obj=edition, changes={"count": count})
    return count


# --- wishes and requests -------------------------------------------------------------------------


def _require_meetings_open(edition: Edition) -> None:
    if not edition.meetings_open or edition.status != EditionStatus.PUBLISHED:
        raise Conflict(_("Les rendez-vous d'affaires de cette édition ne sont pas ouverts."))


def _require_meetable(registration: Registration, who: str) -> None:
    if registration.status != RegistrationStatus.APPROVED or not registration.wants_meetings:
        raise Conflict(_("%(who)s ne participe pas aux rendez-vous d'affaires.") % {"who": who})


@transaction.atomic
def wish_set(
    *, actor: Any, author: Registration, target: Registration, level: str | None
) -> MeetingWish | None:
    """Mark another participant "must meet", "would like to meet" or "not interested"
    (`level=None` removes the mark)."""
    require(actor, "change", author)
    if author.user_id != actor.pk:  # type: ignore[attr-defined]
        raise Conflict(_("Seule la personne inscrite choisit qui elle souhaite rencontrer."))
    if target.edition_id != author.edition_id or target.pk == author.pk:  # type: ignore[attr-defined]
        raise ValidationFailed(_("Choisissez un autre participant de la même édition."))
    _require_meetings_open(author.edition)
    _require_meetable(author, _("Vous"))
    _require_meetable(target, target.display_name)
    if level is None or level == "":
        MeetingWish.objects.filter(author=author, target=target).delete()
        return None
    if level not in WishLevel.values:
        raise ValidationFailed(_("Souhait inconnu."), field_errors={"level": [_("Choix inconnu.")]})
    wish, _created = MeetingWish.objects.update_or_create(
        author=author, target=target, defaults={"level": level, "edition": author.edition}
    )
    return wish


@transaction.atomic
def request_send(
    *, actor: Any, sender: Registration, recipient: Registration, message: str = ""
) -> MeetingRequest:
    """Ask another participant for a meeting; they accept or decline before it expires."""
    require(actor, "change", sender)
    if sender.user_id != actor.pk:  # type: ignore[attr-defined]
        raise Conflict(_("Seule la personne inscrite envoie ses demandes."))
    if recipient.edition_id != sender.edition_id or recipient.pk == sender.pk:  # type: ignore[attr-defined]
        raise ValidationFailed(_("Choisissez un autre participant de la même édition."))
    edition = sender.edition
    _require_meetings_open(edition)
    _require_meetable(sender, _("Vous"))
    _require_meetable(recipient, recipient.display_name)
    if len(message) > MESSAGE_MAX:
        raise ValidationFailed(
            _("Message trop long."),
            field_errors={"message": [_("%(n)s caractères au plus.") % {"n": MESSAGE_MAX}]},
        )
    if MeetingRequest.objects.filter(
        Q(sender=sender, recipient=recipient) | Q(sender=recipient, recipient=sender),
        status__in=[RequestStatus.PENDING, RequestStatus.ACCEPTED],
    ).exists():
        raise Conflict(_("Une demande entre vous deux est déjà en cours ou acceptée."))
    try:
        with transaction.atomic():
            request = MeetingRequest.objects.create(
                edition=edition,
                sender=sender,
                recipient=recipient,
                message=message.strip(),
                expires_at=timezone.now() + timedelta(days=edition.request_days),
            )
    except IntegrityError as exc:  # a concurrent identical request
        raise Conflict(_("Une demande entre vous deux est déjà en cours ou acceptée.")) from exc
    audit_record(actor=actor, action="summit.request.send", obj=request)
    notify(
        recipients=[recipient.user],
        topic=TOPIC,
        verb="request.received",
        title=_("%(name)s vous propose un rendez-vous au sommet.") % {"name": sender.display_name},
        url=_edition_url(edition, "requests"),
        actor=actor,
        target=request,
    )
    return request


@transaction.atomic
def request_answer(
    *, actor: Any, request: MeetingRequest, accept: bool, note: str = ""
) -> MeetingRequest:
    require(actor, "answer", request)
    request = MeetingRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise Conflict(_("Cette demande n'attend plus de réponse."))
    if request.expires_at <= timezone.now():
        raise Conflict(_("Cette demande a expiré."))
    request.status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    request.answered_at = timezone.now()
    request.answer_note = note.strip()[:300]
    request.save(update_fields=["status", "answered_at", "answer_note", "updated_at"])
    audit_record(
        actor=actor,
        action="summit.request.accept" if accept else "summit.request.decline",
        obj=request,
    )
    name = request.recipient.display_name
    notify(
        recipients=[request.sender.user],
        topic=TOPIC,
        verb="request.answered",
        title=(
            _("%(name)s accepte votre demande de rendez-vous.")
            if accept
            else _("%(name)s décline votre demande de rendez-vous.")
        )
        % {"name": name},
        url=_edition_url(request.edition, "requests"),
        actor=actor,
        target=request,
    )
    return request


@transaction.atomic
def request_cancel(*, actor: Any, request: MeetingRequest) -> MeetingRequest:
    require(actor, "cancel", request)
    request = MeetingRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in (RequestStatus.PENDING, RequestStatus.ACCEPTED):
        raise Conflict(_("Cette demande est déjà close."))
    was_accepted = request.status == RequestStatus.ACCEPTED
    request.status = RequestStatus.CANCELLED
    request.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="summit.request.cancel", obj=request)
    if was_accepted:
        notify(
            recipients=[request.recipient.user],
            topic=TOPIC,
            verb="request.cancelled",
            title=_("%(name)s annule le rendez-vous convenu.")
            % {"name": request.sender.display_name},
            url=_edition_url(request.edition, "requests"),
            actor=actor,
            target=request,
        )
    return request


def requests_expire(*, now: datetime | None = None) -> tuple[int, int]:
    """Expire pending requests past their deadline (both sides told) and remind recipients of
    those expiring soon, once. Returns (expired, reminded). Each request is claimed by a
    conditional UPDATE, so two workers never notify twice."""
    now = now or timezone.now()
    expired = reminded = 0
    due = MeetingRequest.objects.filter(status=RequestStatus.PENDING, expires_at__lte=now)
    for pk in list(due.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            claimed = MeetingRequest.objects.filter(
                pk=pk, status=RequestStatus.PENDING, expires_at__lte=now
            ).update(status=RequestStatus.EXPIRED, updated_at=now)
            if not claimed:
                continue
            request = MeetingRequest.objects.select_related(
                "sender__user", "recipient__user", "edition"
            ).get(pk=pk)
            notify(
                recipients=[request.sender.user, request.recipient.user],
                topic=TOPIC,
                verb="request.expired",
                title=_("La demande de rendez-vous entre %(a)s et %(b)s a expiré sans réponse.")
                % {"a": request.sender.display_name, "b": request.recipient.display_name},
                url=_edition_url(request.edition, "requests"),
                target=request,
            )
            expired += 1
    soon = MeetingRequest.objects.filter(
        status=RequestStatus.PENDING,
        reminded_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + REMINDER_BEFORE,
    )
    for pk in list(soon.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            claimed = MeetingRequest.objects.filter(
                pk=pk, status=RequestStatus.PENDING, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            request = MeetingRequest.objects.select_related(
                "sender__user", "recipient__user", "edition"
            ).get(pk=pk)
            notify(
                recipients=[request.recipient.user],
                topic=TOPIC,
                verb="request.reminder",
                title=_("Rappel : %(name)s attend votre réponse à sa demande de rendez-vous.")
                % {"name": request.sender.display_name},
                url=_edition_url(request.edition, "requests"),
                target=request,
            )
            reminded += 1
    return expired, reminded


# --- outcomes ------------------------------------------------------------------------------------


@transaction.atomic
def outcome_record(
    *,
    actor: Any,
    meeting: Meeting,
    took_place: bool,
    result: str = OutcomeResult.NOTHING,
    amount: Decimal | None = None,
    note: str = "",
) -> MeetingOutcome:
    """One side says whether the meeting took place and what came of it (after its start)."""
    require(actor, "record_outcome", meeting)
    if meeting.slot is None or meeting.slot.starts_at > timezone.now():
        raise Conflict(_("Vous pourrez en donner la suite une fois le rendez-vous passé."))
    if result not in OutcomeResult.values:
        raise ValidationFailed(
            _("Résultat inconnu."), field_errors={"result": [_("Choix inconnu.")]}
        )
    if not took_place:
        result, amount = OutcomeResult.NOTHING, None
    if amount is not None and amount < 0:
        raise ValidationFailed(
            _("Montant négatif."), field_errors={"amount": [_("Le montant doit être positif.")]}
        )
    mine = meeting.first if meeting.first.user_id == actor.pk else meeting.second  # type: ignore[attr-defined]
    outcome, _created = MeetingOutcome.objects.update_or_create(
        meeting=meeting,
        registration=mine,
        defaults={
            "took_place": took_place,
            "result": result,
            "amount": amount,
            "note": note.strip()[:500],
        },
    )
    audit_record(actor=actor, action="summit.outcome", obj=outcome)
    return outcome
