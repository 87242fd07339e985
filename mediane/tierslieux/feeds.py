"""iCalendar feeds of the tiers-lieux: one per resource (busy times; the bookers' names only when
the tiers-lieu allows it) and one per person (their own bookings). Times are written in UTC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from icalendar import Calendar, Event

from mediane.tierslieux.models import Booking, Resource

PRODID = "-//Médiane//Tiers-lieux//FR"


def _calendar(name: str, zone: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone)
    return calendar


def _event(booking: Booking, summary: str, stamp: datetime, url: str) -> Event:
    event = Event()
    event.add("uid", f"tierslieux-booking-{booking.pk}@mediane")
    event.add("dtstamp", stamp)
    event.add("dtstart", booking.starts_at.astimezone(UTC))
    event.add("dtend", booking.ends_at.astimezone(UTC))
    event.add("summary", summary)
    event.add("transp", "OPAQUE")
    if url:
        event.add("url", url)
    return event


def resource_ics(
    resource: Resource,
    bookings: Iterable[Booking],
    *,
    url: str = "",
    now: datetime | None = None,
) -> bytes:
    """Busy times of `resource`: "Occupé", or the booker's name when `show_bookers`."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    calendar = _calendar(f"{resource.name} — {resource.organisation.name}", resource.time_zone)
    for booking in bookings:
        summary = "Occupé"
        if resource.show_bookers:
            summary = "Réservé par " + (booking.user.full_name or "une personne inscrite")
        if resource.capacity > 1:
            summary += f" (unité {booking.unit})"
        event = _event(booking, summary, stamp, url)
        event.add("location", f"{resource.name}, {resource.organisation.name}")
        calendar.add_component(event)
    return calendar.to_ical()


def person_ics(
    bookings: Iterable[Booking], *, url: str = "", now: datetime | None = None, zone: str
) -> bytes:
    """The person's confirmed bookings."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    calendar = _calendar("Mes réservations — tiers-lieux Médiane", zone)
    for booking in bookings:
        resource = booking.resource
        event = _event(booking, f"{resource.name} ({resource.organisation.name})", stamp, url)
        event.add("location", f"{resource.name}, {resource.organisation.name}")
        if booking.note:
            event.add("description", booking.note)
        calendar.add_component(event)
    return calendar.to_ical()
