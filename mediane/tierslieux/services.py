"""Every write of the tiers-lieux resources: resources, opening hours, closures, trainings,
bookings and their cancellation, personal calendar feeds.

Bookings: `booking_create` checks who may book, training, opening hours, the slot grid and the
duration limits, then holds one `BookingSlot` row per slot on a free unit. The unique constraint
on (resource, unit, start) makes a double booking impossible even under concurrent requests: when
another booking took the unit between our read and our write, the insert fails inside a savepoint,
the next free unit is tried, and when none is left the caller gets a clear French message.
"""

from __future__ import annotations

import re
import time as time_module
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mediane.core.errors import Conflict, MedianeError, NotFound, ValidationFailed
from mediane.core.permissions import can, is_authenticated, require, role_in
from mediane.core.services import audit_record
from mediane.directory.models import Organisation, OrganisationKind
from mediane.notifications.services import notify
from mediane.tierslieux.models import (
    Booking,
    BookingSlot,
    BookingStatus,
    CalendarFeed,
    Closure,
    Currency,
    OpeningHours,
    Resource,
    ResourceKind,
    Tariff,
    Training,
    WhoMayBook,
)
from mediane.tierslieux.rules import is_partner_member

TOPIC = "booking"
#: Organisations that may offer resources.
HOST_KINDS = (OrganisationKind.TIERS_LIEU, "incubateur", "accelerateur")
#: How far ahead one may book.
MAX_DAYS_AHEAD = 366
MAX_CAPACITY = 500


class ResourceNotFound(NotFound, Http404):
    code = "resource_not_found"


class BookingNotFound(NotFound, Http404):
    code = "booking_not_found"


class BookingRefused(MedianeError):
    """The person may not book this resource (rules, training)."""

    code = "booking_refused"


class SlotTaken(Conflict):
    code = "slot_taken"


def slot_taken_message() -> str:
    return _("Ce créneau est déjà réservé. Choisissez un autre créneau dans le calendrier.")


def slot_just_taken_message() -> str:
    return _(
        "Ce créneau vient d'être réservé par quelqu'un d'autre. Choisissez un autre créneau "
        "dans le calendrier."
    )


# --- time grid -----------------------------------------------------------------------------------


def closed_on(
    resource: Resource, day: date, closures: list[Closure] | None = None
) -> Closure | None:
    items = closures if closures is not None else list(resource.closures.all())  # type: ignore[attr-defined]
    for closure in items:
        if closure.starts_on <= day <= closure.ends_on:
            return closure
    return None


def opening_periods(
    resource: Resource,
    day: date,
    *,
    hours: list[OpeningHours] | None = None,
    closures: list[Closure] | None = None,
) -> list[tuple[datetime, datetime]]:
    """The aware (local zone) opening periods of `resource` on the local `day`; none when closed."""
    if closed_on(resource, day, closures) is not None:
        return []
    rows = hours if hours is not None else list(resource.opening_hours.all())  # type: ignore[attr-defined]
    zone = resource.zone
    return [
        (
            datetime.combine(day, row.opens, tzinfo=zone),
            datetime.combine(day, row.closes, tzinfo=zone),
        )
        for row in rows
        if row.weekday == day.weekday()
    ]


def slot_starts(resource: Resource, starts_at: datetime, ends_at: datetime) -> list[datetime]:
    """The UTC starts of the slots from `starts_at` to `ends_at` (already validated)."""
    step = timedelta(minutes=resource.slot_minutes)
    starts = []
    current = starts_at.astimezone(UTC)
    end = ends_at.astimezone(UTC)
    while current < end:
        starts.append(current)
        current += step
    return starts


def _check_times(resource: Resource, starts_at: datetime, ends_at: datetime) -> None:
    """Opening hours, closures, grid, duration limits and the booking window."""
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationFailed(_("Heures sans fuseau horaire."), code="naive_datetime")
    if ends_at <= starts_at:
        raise ValidationFailed(
            _("La fin doit être après le début."), field_errors={"end": [_("Après le début.")]}
        )
    now = timezone.now()
    if starts_at < now:
        raise ValidationFailed(
            _("Ce créneau est déjà passé."), field_errors={"start": [_("Créneau passé.")]}
        )
    if starts_at > now + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationFailed(
            _("On ne peut pas réserver plus d'un an à l'avance."),
            field_errors={"date": [_("Trop loin.")]},
        )
    zone = resource.zone
    local_start, local_end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    closure = closed_on(resource, local_start.date())
    if closure is not None:
        reason = f" ({closure.reason})" if closure.reason else ""
        raise ValidationFailed(
            _("La ressource est fermée ce jour-là%(reason)s.") % {"reason": reason},
            field_errors={"date": [_("Fermé ce jour-là.")]},
        )
    periods = opening_periods(resource, local_start.date())
    inside = [p for p in periods if p[0] <= local_start and local_end <= p[1]]
    if not inside:
        if not periods:
            message = _("La ressource est fermée ce jour-là.")
        else:
            spans = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in periods)
            message = _("En dehors des horaires d'ouverture (ce jour-là : %(spans)s).") % {
                "spans": spans
            }
        raise ValidationFailed(message, field_errors={"start": [message]})
    minutes = resource.slot_minutes
    offset = (local_start - inside[0][0]).total_seconds() / 60
    duration = (ends_at - starts_at).total_seconds() / 60
    if offset % minutes or duration % minutes:
        message = _("Les réservations se font par créneaux de %(m)s minutes.") % {"m": minutes}
        raise ValidationFailed(message, field_errors={"start": [message]})
    if duration < resource.min_minutes:
        message = _("Durée minimale : %(m)s minutes.") % {"m": resource.min_minutes}
        raise ValidationFailed(message, field_errors={"end": [message]})
    if duration > resource.max_minutes:
        message = _("Durée maximale : %(m)s minutes.") % {"m": resource.max_minutes}
        raise ValidationFailed(message, field_errors={"end": [message]})


# --- who may book, price -------------------------------------------------------------------------


def tariff_for(user: Any, resource: Resource) -> str:
    """Members of the tiers-lieu pay the member price; members of a twinned tiers-lieu the
    partner price; everyone else the public price."""
    if role_in(user, resource.organisation_id) is not None:  # type: ignore[attr-defined]
        return Tariff.MEMBER
    if is_partner_member(user, resource.organisation):
        return Tariff.PARTNER
    return Tariff.OTHER


def refusal(user: Any, resource: Resource) -> str | None:
    """Why `user` may not book `resource` (French), or None when they may."""
    if not is_authenticated(user):
        return _("Connectez-vous pour réserver.")
    if not resource.is_active:
        return _("Cette ressource n'est pas réservable pour l'instant.")
    if not can(user, "book", resource):
        who = resource.who_may_book
        if who == WhoMayBook.NETWORK:
            return _("Cette ressource est réservée aux membres du réseau.")
        if who == WhoMayBook.MEMBERS:
            return _("Cette ressource est réservée aux membres de %(org)s.") % {
                "org": resource.organisation.name
            }
        return _(
            "Cette ressource est réservée aux membres de %(org)s et des tiers-lieux jumelés."
        ) % {"org": resource.organisation.name}
    if resource.training_required and not has_training(user, resource):
        return _(
            "Cette ressource demande une formation : demandez-la à l'équipe de %(org)s avant "
            "de réserver."
        ) % {"org": resource.organisation.name}
    return None


def has_training(user: Any, resource: Resource) -> bool:
    return Training.objects.filter(resource=resource, user_id=user.pk).exists()


@dataclass(frozen=True)
class Quote:
    tariff: str
    hours: Decimal
    price: Decimal
    currency: str

    @property
    def tariff_label(self) -> str:
        return str(Tariff(self.tariff).label)


def quote(resource: Resource, tariff: str, starts_at: datetime, ends_at: datetime) -> Quote:
    hours = Decimal((ends_at - starts_at).total_seconds()) / Decimal(3600)
    price = (resource.price_for(tariff) * hours).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return Quote(
        tariff=tariff,
        hours=hours.quantize(Decimal("0.01")),
        price=price,
        currency=resource.currency,
    )


def free_units(resource: Resource, starts: list[datetime]) -> list[int]:
    taken = set(
        BookingSlot.objects.filter(resource=resource, start__in=starts).values_list(
            "unit", flat=True
        )
    )
    return [unit for unit in range(1, resource.capacity + 1) if unit not in taken]


def booking_quote(
    *, user: Any, resource: Resource, starts_at: datetime, ends_at: datetime
) -> Quote:
    """Checks what `booking_create` will check (except the race) and gives the price."""
    reason = refusal(user, resource)
    if reason is not None:
        raise BookingRefused(reason)
    _check_times(resource, starts_at, ends_at)
    if not free_units(resource, slot_starts(resource, starts_at, ends_at)):
        raise SlotTaken(slot_taken_message())
    return quote(resource, tariff_for(user, resource), starts_at, ends_at)


def _when(booking: Booking) -> str:
    local = booking.starts_at.astimezone(booking.resource.zone)
    end = booking.ends_at.astimezone(booking.resource.zone)
    return f"{date_format(local, 'l j F Y')} {local:%H:%M}–{end:%H:%M}"


def _with_sqlite_retry(write: Any) -> Any:
    """Run the write transaction `write()`; on SQLite, a transaction that cannot start because
    another connection holds the write lock (SQLITE_LOCKED in shared-cache mode is not covered by
    the busy timeout) is tried again a little later, then refused with a clear message."""
    for attempt in range(_SQLITE_ATTEMPTS):
        try:
            return write()
        except OperationalError as error:
            retry = connection.vendor == "sqlite" and not connection.in_atomic_block
            if not retry or "locked" not in str(error):
                raise
            time_module.sleep(0.02 * (attempt + 1))
    raise Conflict(
        _("Le calendrier est très sollicité en ce moment : réessayez dans un instant."),
        code="busy",
    )


_SQLITE_ATTEMPTS = 40


def booking_create(
    *,
    actor: Any,
    resource: Resource,
    starts_at: datetime,
    ends_at: datetime,
    note: str = "",
    user: Any = None,
) -> Booking:
    """Book one unit of `resource` for `user` (default: the actor; the tiers-lieu's editors
    may book for someone else, who is notified)."""
    booker = user if user is not None else actor
    if user is not None and user.pk != actor.pk:
        require(actor, "manage", resource)
    reason = refusal(booker, resource)
    if reason is not None:
        raise BookingRefused(reason)
    _check_times(resource, starts_at, ends_at)
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationFailed(
            _("L'objet fait 200 caractères au plus."), field_errors={"note": [_("Trop long.")]}
        )
    starts = slot_starts(resource, starts_at, ends_at)
    priced = quote(resource, tariff_for(booker, resource), starts_at, ends_at)

    def write() -> Booking:
        with transaction.atomic():
            units = free_units(resource, starts)
            if not units:
                raise SlotTaken(slot_taken_message())
            booking = None
            for unit in units:
                try:
                    with transaction.atomic():
                        booking = Booking.objects.create(
                            resource=resource,
                            user=booker,
                            unit=unit,
                            starts_at=starts_at,
                            ends_at=ends_at,
                            tariff=priced.tariff,
                            price=priced.price,
                            currency=priced.currency,
                            note=note,
                        )
                        BookingSlot.objects.bulk_create(
                            [
                                BookingSlot(booking=booking, resource=resource, unit=unit, start=s)
                                for s in starts
                            ]
                        )
                except IntegrityError:
                    booking = None  # a concurrent booking took this unit: try the next one
                    continue
                break
            if booking is None:
                raise SlotTaken(slot_just_taken_message())
            audit_record(
                actor=actor,
                action="tierslieux.booking_create",
                obj=booking,
                organisation=resource.organisation,
                changes={"resource": resource.slug, "starts_at": starts_at, "unit": unit},
            )
            notify(
                recipients=[booker],
                topic=TOPIC,
                verb="booked",
                title=_("Réservation de « %(r)s » le %(when)s par %(org)s")
                % {"r": resource.name, "when": _when(booking), "org": resource.organisation.name},
                url="/tiers-lieux/mes-reservations/",
                actor=actor,
                target=booking,
            )
        return booking

    return _with_sqlite_retry(write)


def booking_cancel(*, actor: Any, booking: Booking) -> Booking:
    """Cancel a confirmed booking: its slots are freed; the booking stays, cancelled. The booker
    cancels until it starts; the tiers-lieu's editors at any time (the booker is notified)."""
    require(actor, "cancel", booking)
    resource = booking.resource
    is_booker = booking.user_id == actor.pk  # type: ignore[attr-defined]
    if is_booker and not can(actor, "manage", resource) and booking.starts_at <= timezone.now():
        raise ValidationFailed(
            _("Cette réservation a déjà commencé : elle ne peut plus être annulée."),
            code="booking_started",
        )
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.status != BookingStatus.CONFIRMED:
            raise Conflict(_("Cette réservation est déjà annulée."), code="already_cancelled")
        BookingSlot.objects.filter(booking=locked).delete()
        locked.status = BookingStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancelled_by = actor
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "updated_at"])
        audit_record(
            actor=actor,
            action="tierslieux.booking_cancel",
            obj=locked,
            organisation=resource.organisation,
        )
        notify(
            recipients=[locked.user],
            topic=TOPIC,
            verb="cancelled",
            title=_("Votre réservation de « %(r)s » le %(when)s a été annulée par %(org)s")
            % {"r": resource.name, "when": _when(locked), "org": resource.organisation.name},
            url="/tiers-lieux/mes-reservations/",
            actor=actor,
            target=locked,
        )
    booking.refresh_from_db()
    return booking


# --- resources -----------------------------------------------------------------------------------

RESOURCE_FIELDS = (
    "name", "kind", "description", "capacity", "slot_minutes", "min_minutes", "max_minutes",
    "who_may_book", "training_required", "price_member", "price_partner", "price_other",
    "currency", "rules", "is_active", "show_bookers",
)  # fmt: skip


def _clean_resource(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if key not in RESOURCE_FIELDS:
            raise ValidationFailed(_("Champ inconnu : %(f)s.") % {"f": key})
        clean[key] = value.strip() if isinstance(value, str) else value
    if "name" in clean and not (1 <= len(clean["name"]) <= 160):
        errors["name"] = [_("Un nom de 1 à 160 caractères est attendu.")]
    if "kind" in clean and clean["kind"] not in ResourceKind.values:
        errors["kind"] = [_("Type de ressource inconnu.")]
    if "who_may_book" in clean and clean["who_may_book"] not in WhoMayBook.values:
        errors["who_may_book"] = [_("Valeur inconnue.")]
    if "currency" in clean and clean["currency"] not in Currency.values:
        errors["currency"] = [_("Devise inconnue (EUR ou CAD).")]
    if "capacity" in clean and not (1 <= int(clean["capacity"]) <= MAX_CAPACITY):
        errors["capacity"] = [_("Entre 1 et %(n)s unités.") % {"n": MAX_CAPACITY}]
    for key in ("slot_minutes", "min_minutes", "max_minutes"):
        if key in clean and not (5 <= int(clean[key]) <= 24 * 60):
            errors[key] = [_("Entre 5 minutes et 24 heures.")]
    for key in ("price_member", "price_partner", "price_other"):
        if key in clean:
            try:
                clean[key] = Decimal(str(clean[key]))
            except ArithmeticError:
                errors[key] = [_("Un montant est attendu.")]
                continue
            if clean[key] < 0 or clean[key] >= Decimal("1000000"):
                errors[key] = [_("Un montant positif est attendu.")]
    if errors:
        raise ValidationFailed(_("Certains champs sont à corriger."), field_errors=errors)
    return clean


def _check_grid(resource: Resource) -> None:
    errors: dict[str, list[str]] = {}
    if resource.slot_minutes > 240:
        errors["slot_minutes"] = [_("Un créneau dure 4 heures au plus.")]
    for key in ("min_minutes", "max_minutes"):
        if getattr(resource, key) % resource.slot_minutes:
            errors[key] = [_("Un multiple de la durée d'un créneau est attendu.")]
    if resource.min_minutes > resource.max_minutes:
        errors["max_minutes"] = [_("La durée maximale doit dépasser la durée minimale.")]
    if errors:
        raise ValidationFailed(_("Certains champs sont à corriger."), field_errors=errors)


def _unique_slug(organisation: Organisation, name: str) -> str:
    base = slugify(f"{name} {organisation.name}")[:160] or "ressource"
    slug, n = base, 2
    while Resource.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def resource_create(*, actor: Any, organisation: Organisation, **fields: Any) -> Resource:
    require(actor, "manage_resources", organisation)
    if organisation.kind not in HOST_KINDS:
        raise ValidationFailed(
            _("Seuls les tiers-lieux, incubateurs et accélérateurs proposent des ressources."),
            code="not_a_host",
        )
    clean = _clean_resource(fields)
    if not clean.get("name"):
        raise ValidationFailed(
            _("Certains champs sont à corriger."), field_errors={"name": [_("Obligatoire.")]}
        )
    clean.setdefault("kind", ResourceKind.OTHER)
    if organisation.country == "QC":
        clean.setdefault("currency", Currency.CAD)
    with transaction.atomic():
        resource = Resource(
            organisation=organisation, slug=_unique_slug(organisation, clean["name"]), **clean
        )
        _check_grid(resource)
        resource.save()
        audit_record(
            actor=actor,
            action="tierslieux.resource_create",
            obj=resource,
            organisation=organisation,
        )
    return resource


def resource_update(*, actor: Any, resource: Resource, **fields: Any) -> Resource:
    require(actor, "manage", resource)
    clean = _clean_resource(fields)
    with transaction.atomic():
        for key, value in clean.items():
            setattr(resource, key, value)
        _check_grid(resource)
        resource.save()
        audit_record(
            actor=actor,
            action="tierslieux.resource_update",
            obj=resource,
            organisation=resource.organisation,
            changes=clean,
        )
    return resource


_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_time(value: Any) -> time | None:
    if isinstance(value, time):
        return value
    match = _TIME.match(str(value or "").strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


def opening_hours_set(
    *, actor: Any, resource: Resource, hours: list[tuple[int, Any, Any]]
) -> list[OpeningHours]:
    """Replace the weekly opening hours: (weekday 0–6, opens, closes) rows, "HH:MM" or times."""
    require(actor, "manage", resource)
    rows: list[OpeningHours] = []
    for weekday, opens, closes in hours:
        start, end = parse_time(opens), parse_time(closes)
        if not (0 <= int(weekday) <= 6) or start is None or end is None or start >= end:
            raise ValidationFailed(
                _("Horaires incorrects : l'ouverture doit précéder la fermeture (HH:MM)."),
                code="bad_hours",
            )
        rows.append(OpeningHours(resource=resource, weekday=int(weekday), opens=start, closes=end))
    rows.sort(key=lambda r: (r.weekday, r.opens))
    for a, b in zip(rows, rows[1:], strict=False):
        if a.weekday == b.weekday and b.opens < a.closes:
            raise ValidationFailed(_("Deux plages d'un même jour se chevauchent."), code="overlap")
    with transaction.atomic():
        resource.opening_hours.all().delete()  # type: ignore[attr-defined]
        created = OpeningHours.objects.bulk_create(rows)
        audit_record(
            actor=actor,
            action="tierslieux.opening_hours_set",
            obj=resource,
            organisation=resource.organisation,
            changes={"hours": [f"{r.weekday} {r.opens:%H:%M}-{r.closes:%H:%M}" for r in rows]},
        )
    return created


def closure_add(
    *, actor: Any, resource: Resource, starts_on: date, ends_on: date, reason: str = ""
) -> Closure:
    require(actor, "manage", resource)
    if ends_on < starts_on:
        raise ValidationFailed(
            _("La fin de la fermeture doit suivre son début."),
            field_errors={"ends_on": [_("Après le début.")]},
        )
    with transaction.atomic():
        closure = Closure.objects.create(
            resource=resource, starts_on=starts_on, ends_on=ends_on, reason=reason.strip()[:200]
        )
        audit_record(
            actor=actor,
            action="tierslieux.closure_add",
            obj=closure,
            organisation=resource.organisation,
        )
    return closure


def closure_remove(*, actor: Any, closure: Closure) -> None:
    require(actor, "manage", closure.resource)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="tierslieux.closure_remove",
            obj=closure,
            organisation=closure.resource.organisation,
        )
        closure.delete()


def training_grant(
    *, actor: Any, resource: Resource, user: Any, granted_on: date | None = None
) -> Training:
    """Record that `user` is qualified on `resource` (the tiers-lieu's editors)."""
    require(actor, "manage", resource)
    if not resource.training_required:
        raise ValidationFailed(
            _("Cette ressource ne demande pas de formation."), code="no_training_needed"
        )
    day = granted_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationFailed(_("La date de formation ne peut pas être future."), code="future")
    with transaction.atomic():
        training, created = Training.objects.update_or_create(
            resource=resource, user=user, defaults={"granted_on": day, "granted_by": actor}
        )
        audit_record(
            actor=actor,
            action="tierslieux.training_grant",
            obj=training,
            organisation=resource.organisation,
            changes={"user": user.email, "granted_on": day},
        )
        if created:
            notify(
                recipients=[user],
                topic=TOPIC,
                verb="trained",
                title=_("Vous pouvez maintenant réserver « %(r)s » (%(org)s)")
                % {"r": resource.name, "org": resource.organisation.name},
                url=resource.get_absolute_url(),
                actor=actor,
                target=resource,
            )
    return training


def training_revoke(*, actor: Any, training: Training) -> None:
    require(actor, "manage", training.resource)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="tierslieux.training_revoke",
            obj=training,
            organisation=training.resource.organisation,
        )
        training.delete()


# --- personal feed -------------------------------------------------------------------------------


def feed_for(*, user: Any) -> CalendarFeed:
    """The person's calendar feed (its secret address), created on first use."""
    if not is_authenticated(user):
        raise PermissionDenied("feed")
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def feed_reset(*, user: Any) -> CalendarFeed:
    """A new secret address; the old one stops working."""
    from mediane.tierslieux.models import new_feed_token

    with transaction.atomic():
        feed = feed_for(user=user)
        feed.token = new_feed_token()
        feed.save(update_fields=["token"])
        audit_record(actor=user, action="tierslieux.feed_reset", obj=feed)
    return feed
