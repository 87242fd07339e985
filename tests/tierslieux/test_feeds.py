"""iCalendar feeds: per resource (busy times, names only when allowed) and per person (secret
address, their confirmed bookings only)."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from mediane.tierslieux import services
from mediane.tierslieux.models import CalendarFeed
from tests.tierslieux.factories import at

pytestmark = pytest.mark.django_db


def events(body: bytes) -> list:  # type: ignore[type-arg]
    return [c for c in Calendar.from_ical(body).walk() if c.name == "VEVENT"]


def test_resource_feed_shows_busy_times_without_names(client, space, room):
    space.member.full_name = "Marie Secret"
    space.member.save()
    booking = services.booking_create(
        actor=space.member, resource=room, starts_at=at(room, 10), ends_at=at(room, 11)
    )
    response = client.get(f"/tiers-lieux/{room.slug}/calendrier.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    [event] = events(response.content)
    assert str(event["summary"]) == "Occupé"
    assert event.decoded("dtstart") == booking.starts_at
    assert b"Marie Secret" not in response.content
    room.show_bookers = True
    room.save()
    [event] = events(client.get(f"/tiers-lieux/{room.slug}/calendrier.ics").content)
    assert str(event["summary"]) == "Réservé par Marie Secret"
    services.booking_cancel(actor=space.member, booking=booking)
    assert events(client.get(f"/tiers-lieux/{room.slug}/calendrier.ics").content) == []


def test_person_feed_by_secret_address(client, space, room):
    services.booking_create(
        actor=space.member, resource=room, starts_at=at(room, 10), ends_at=at(room, 11)
    )
    services.booking_create(
        actor=space.network, resource=room, starts_at=at(room, 12), ends_at=at(room, 13)
    )
    client.force_login(space.member)
    html = client.get("/tiers-lieux/mes-reservations/").content.decode()
    token = CalendarFeed.objects.get(user=space.member).token
    assert f"/tiers-lieux/calendrier/{token}.ics" in html
    client.logout()
    [event] = events(client.get(f"/tiers-lieux/calendrier/{token}.ics").content)
    assert "Salle Adour" in str(event["summary"])
    assert event.decoded("dtstart") == at(room, 10)
    assert client.get("/tiers-lieux/calendrier/pas-le-bon-jeton-du-tout.ics").status_code == 404
    services.feed_reset(user=space.member)
    assert client.get(f"/tiers-lieux/calendrier/{token}.ics").status_code == 404
