"""Every permission-aware read of the tiers-lieux resources: the resources one may see, the week
calendar of a resource, free slots, one's bookings, the bookings of a tiers-lieu for its editors,
and the rows of the iCalendar feeds. Pages, htmx fragments, the API and the exports call these."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.core.permissions import (
    can,
    is_authenticated,
    is_secretariat,
    require,
    user_roles,
    visible_q,
)
from mediane.directory.models import Organisation
from mediane.tierslieux.models import (
    Booking,
    BookingSlot,
    BookingStatus,
    CalendarFeed,
    Closure,
    OpeningHours,
    Resource,
)
from mediane.tierslieux.services import (
    BookingNotFound,
    ResourceNotFound,
    closed_on,
    opening_periods,
)

#: Days shown by the API's availability and the week calendar.
MAX_AVAILABILITY_DAYS = 31


def resources_for(
    user: Any, *, kind: str = "", organisation_id: int | None = None
) -> QuerySet[Resource]:
    """Resources `user` may see: bookable ones of the tiers-lieux they see, and every resource of
    the tiers-lieux they manage."""
    queryset = Resource.objects.select_related("organisation", "organisation__territory")
    if not is_secretariat(user):
        q = Q(is_active=True) & visible_q(
            user, owner_field="organisation_id", visibility_field="organisation__visibility"
        )
        managed = [pk for pk, role in user_roles(user).items() if role in {"editor", "admin"}]
        if managed:
            q |= Q(organisation_id__in=managed)
        queryset = queryset.filter(q)
    if kind:
        queryset = queryset.filter(kind=kind)
    if organisation_id is not None:
        queryset = queryset.filter(organisation_id=organisation_id)
    return queryset.order_by("organisation__name", "kind", "name")


def resource_get_for(user: Any, *, slug: str) -> Resource:
    """One resource `user` may see; 404 otherwise."""
    resource = (
        Resource.objects.select_related("organisation", "organisation__territory")
        .prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
            Prefetch(
                "closures",
                queryset=Closure.objects.filter(
                    ends_on__gte=timezone.localdate() - timedelta(days=1)
                ),
            ),
        )
        .filter(slug=slug)
        .first()
    )
    if resource is None or not can(user, "view", resource):
        raise ResourceNotFound(_("Ressource introuvable."))
    return resource


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class Cell:
    day: date
    label: str
    state: str  # closed, past, free, full, mine
    start: datetime | None = None
    end: datetime | None = None
    free: int = 0
    end_label: str = ""


@dataclass
class WeekGrid:
    resource: Resource
    monday: date
    days: list[date]
    rows: list[tuple[str, list[Cell]]] = field(default_factory=list)
    closures: dict[date, Closure] = field(default_factory=dict)

    @property
    def previous(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.monday + timedelta(days=7)


def _slot_counts(resource: Resource, start: datetime, end: datetime) -> Counter[datetime]:
    return Counter(
        BookingSlot.objects.filter(resource=resource, start__gte=start, start__lt=end).values_list(
            "start", flat=True
        )
    )


def _local_slots(resource: Resource, day: date) -> list[tuple[datetime, datetime]]:
    step = timedelta(minutes=resource.slot_minutes)
    hours = list(resource.opening_hours.all())  # type: ignore[attr-defined]
    closures = list(resource.closures.all())  # type: ignore[attr-defined]
    slots = []
    for opens, closes in opening_periods(resource, day, hours=hours, closures=closures):
        current = opens
        while current + step <= closes:
            slots.append((current, current + step))
            current += step
    return slots


def week_grid(user: Any, resource: Resource, monday: date) -> WeekGrid:
    """The calendar of one week: rows of local slot times × 7 days, each cell closed, past,
    free (with the number of free units), full, or booked by `user`."""
    require(user, "view", resource)
    zone = resource.zone
    days = [monday + timedelta(days=i) for i in range(7)]
    grid = WeekGrid(resource=resource, monday=monday, days=days)
    per_day = {day: _local_slots(resource, day) for day in days}
    closures = list(resource.closures.all())  # type: ignore[attr-defined]
    for day in days:
        closure = closed_on(resource, day, closures)
        if closure is not None:
            grid.closures[day] = closure
    first = datetime.combine(days[0], time.min, tzinfo=zone)
    last = datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=zone)
    counts = _slot_counts(resource, first, last)
    mine: set[datetime] = set()
    if is_authenticated(user):
        mine = set(
            BookingSlot.objects.filter(
                resource=resource, booking__user=user, start__gte=first, start__lt=last
            ).values_list("start", flat=True)
        )
    now = timezone.now()
    labels = sorted({start.time() for slots in per_day.values() for start, _end in slots})
    for label in labels:
        cells = []
        for day in days:
            match = next((s for s in per_day[day] if s[0].time() == label), None)
            if match is None:
                cells.append(Cell(day=day, label=f"{label:%H:%M}", state="closed"))
                continue
            start, end = match
            utc = start.astimezone(UTC)
            free = resource.capacity - counts.get(utc, 0)
            if utc in mine:
                state = "mine"
            elif start < now:
                state = "past"
            elif free <= 0:
                state = "full"
            else:
                state = "free"
            cells.append(
                Cell(
                    day=day,
                    label=f"{label:%H:%M}",
                    state=state,
                    start=start,
                    end=end,
                    free=free,
                    end_label=f"{end:%H:%M}",
                )
            )
        grid.rows.append((f"{label:%H:%M}", cells))
    return grid


def availability(user: Any, resource: Resource, start: date, end: date) -> list[dict[str, Any]]:
    """Free slots (start, end, free units) of `resource` from local day `start` to `end`
    included (at most MAX_AVAILABILITY_DAYS days); past slots are left out."""
    require(user, "view", resource)
    end = min(end, start + timedelta(days=MAX_AVAILABILITY_DAYS - 1))
    zone = resource.zone
    first = datetime.combine(start, time.min, tzinfo=zone)
    last = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    counts = _slot_counts(resource, first, last)
    now = timezone.now()
    free_slots = []
    day = start
    while day <= end:
        for slot_start, slot_end in _local_slots(resource, day):
            free = resource.capacity - counts.get(slot_start.astimezone(UTC), 0)
            if free > 0 and slot_start >= now:
                free_slots.append(
                    {"starts_at": slot_start, "ends_at": slot_end, "free_units": free}
                )
        day += timedelta(days=1)
    return free_slots


def bookings_mine(user: Any, *, upcoming: bool = True) -> QuerySet[Booking]:
    """The person's bookings: upcoming (confirmed, not ended), or past and cancelled ones."""
    if not is_authenticated(user):
        return Booking.objects.none()
    queryset = Booking.objects.select_related(
        "resource", "resource__organisation", "resource__organisation__territory"
    ).filter(user=user)
    now = timezone.now()
    if upcoming:
        return queryset.filter(status=BookingStatus.CONFIRMED, ends_at__gt=now).order_by(
            "starts_at"
        )
    return queryset.filter(Q(status=BookingStatus.CANCELLED) | Q(ends_at__lte=now)).order_by(
        "-starts_at"
    )


def booking_get_for(user: Any, *, pk: int) -> Booking:
    booking = (
        Booking.objects.select_related("resource", "resource__organisation", "user")
        .filter(pk=pk)
        .first()
    )
    if booking is None or not can(user, "view", booking):
        raise BookingNotFound(_("Réservation introuvable."))
    return booking


@dataclass(frozen=True)
class BookingFilters:
    resource: str = ""
    start: date | None = None
    end: date | None = None
    status: str = ""


def organisation_bookings(
    user: Any, organisation: Organisation, filters: BookingFilters | None = None
) -> QuerySet[Booking]:
    """The bookings of a tiers-lieu's resources, for its editors and the secretariat."""
    require(user, "manage_resources", organisation)
    filters = filters or BookingFilters()
    queryset = Booking.objects.select_related(
        "resource", "resource__organisation", "resource__organisation__territory", "user"
    ).filter(resource__organisation=organisation)
    if filters.resource:
        queryset = queryset.filter(resource__slug=filters.resource)
    if filters.status in BookingStatus.values:
        queryset = queryset.filter(status=filters.status)
    if filters.start:
        queryset = queryset.filter(ends_at__date__gte=filters.start)
    if filters.end:
        queryset = queryset.filter(starts_at__date__lte=filters.end)
    return queryset.order_by("starts_at", "pk")


def organisations_managed(user: Any) -> list[Organisation]:
    """Tiers-lieux (and incubators) whose resources `user` manages."""
    from mediane.tierslieux.services import HOST_KINDS

    queryset = Organisation.objects.filter(kind__in=HOST_KINDS)
    if not is_secretariat(user):
        ids = [pk for pk, role in user_roles(user).items() if role in {"editor", "admin"}]
        queryset = queryset.filter(pk__in=ids)
    return list(queryset.order_by("name"))


def resource_feed_bookings(resource: Resource) -> list[Booking]:
    """Confirmed bookings of a resource from 30 days ago on (for its public feed)."""
    since = timezone.now() - timedelta(days=30)
    return list(
        resource.bookings.select_related("user")  # type: ignore[attr-defined]
        .filter(status=BookingStatus.CONFIRMED, ends_at__gte=since)
        .order_by("starts_at")
    )


def feed_owner(token: str) -> Any:
    """The person whose personal feed has this secret token, or None."""
    if len(token) < 20:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def person_feed_bookings(user: Any) -> list[Booking]:
    since = timezone.now() - timedelta(days=30)
    return list(
        Booking.objects.select_related("resource", "resource__organisation__territory")
        .filter(user=user, status=BookingStatus.CONFIRMED, ends_at__gte=since)
        .order_by("starts_at")
    )
