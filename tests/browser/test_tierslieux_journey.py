"""Journey: book a resource. A network member logs in, opens a meeting room, moves to the next
week in the calendar (htmx), picks a free slot, sees the price, books, finds the booking in
"my bookings"; trying a slot someone else holds gives a clear French message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mediane.tierslieux import services
from mediane.tierslieux.models import Booking
from tests.accounts.factories import MembershipFactory
from tests.browser.test_summit_journey import log_in
from tests.directory.factories import PASSWORD
from tests.tierslieux.factories import make_resource, make_space

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_book_a_resource(page, screenshot):
    space = make_space()
    room = make_resource(space, name="Salle du Pic du Jer")
    booker = MembershipFactory(organisation=space.organisation, role="member").user
    booker.set_password(PASSWORD)
    booker.save()
    # Next week's Tuesday, 10:00–11:00, is taken by someone else.
    today = timezone.now().astimezone(room.zone).date()
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
    tuesday = monday + dt.timedelta(days=1)
    taken = dt.datetime.combine(tuesday, dt.time(10), tzinfo=room.zone)
    services.booking_create(
        actor=space.network, resource=room, starts_at=taken, ends_at=taken + dt.timedelta(hours=1)
    )

    log_in(page, booker)
    page.goto(page.base_url + "/tiers-lieux/")
    page.get_by_role("link", name="Salle du Pic du Jer").click()
    page.get_by_role("heading", name="Calendrier des réservations").wait_for()
    page.get_by_role("link", name="Semaine suivante").click()
    page.get_by_role("heading", name=f"Semaine du {monday.day} ").wait_for()
    screenshot(page, "calendar")
    row = page.locator("tr", has=page.get_by_role("rowheader", name="10:00", exact=True))
    assert "Complet" in row.locator("td").nth(1).inner_text()  # Tuesday, taken
    row.locator("td").nth(2).get_by_role("link").click()  # Wednesday 10:00, free

    page.get_by_role("heading", name="Ce créneau est libre").wait_for()
    assert "5,00 EUR" in page.locator(".tl-quote").inner_text()  # 30 min at 10 EUR/h
    page.get_by_label("Fin").fill("11:00")
    page.get_by_label("Objet (facultatif)").fill("Point d'équipe")
    page.get_by_role("button", name="Vérifier le créneau et le prix").click()
    page.get_by_text("10,00 EUR").wait_for()
    screenshot(page, "quote")
    page.get_by_role("button", name="Confirmer la réservation").click()

    page.get_by_role("heading", name="Mes réservations").wait_for()
    page.get_by_text("C'est réservé").wait_for()
    upcoming = page.locator("table").first
    assert "Salle du Pic du Jer" in upcoming.inner_text()
    assert "10:00–11:00" in upcoming.inner_text()
    screenshot(page, "mine")
    booking = Booking.objects.get(user=booker)
    assert booking.starts_at.astimezone(room.zone).date() == monday + dt.timedelta(days=2)

    # The occupied slot: a clear message, nothing booked.
    page.goto(page.base_url + f"/tiers-lieux/{room.slug}/reserver/")
    page.get_by_label("Date").fill(tuesday.isoformat())
    page.get_by_label("Début").fill("10:30")
    page.get_by_label("Fin").fill("11:00")
    page.get_by_role("button", name="Vérifier le créneau et le prix").click()
    page.get_by_role("alert").get_by_text("Ce créneau est déjà réservé").wait_for()
    screenshot(page, "taken")
    assert Booking.objects.filter(user=booker).count() == 1
    assert not page.js_errors
