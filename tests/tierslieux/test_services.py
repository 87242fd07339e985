"""Booking rules through the services: who may book, training, partner rules and prices, hours,
grid and durations, capacity, cancellation, notifications; and the race path of the unit pick."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError

from mediane.core.errors import ValidationFailed
from mediane.notifications.models import Notification
from mediane.tierslieux import services
from mediane.tierslieux.models import Booking, BookingSlot, BookingStatus
from mediane.tierslieux.services import BookingRefused, SlotTaken
from tests.tierslieux.factories import at, make_resource, sign_twinning

pytestmark = pytest.mark.django_db


def book(who, resource, start, end, **kw):  # type: ignore[no-untyped-def]
    return services.booking_create(actor=who, resource=resource, starts_at=start, ends_at=end, **kw)


def test_a_booking_holds_one_slot_row_per_slot_at_the_member_price(space, room):
    booking = book(space.member, room, at(room, 10), at(room, 11, 30))
    assert booking.unit == 1 and booking.tariff == "member"
    assert booking.price == Decimal("15.00")  # 1.5 h × 10 EUR
    assert BookingSlot.objects.filter(booking=booking).count() == 3


def test_the_same_slot_cannot_be_booked_twice(space, room):
    book(space.member, room, at(room, 10), at(room, 11))
    with pytest.raises(SlotTaken, match="déjà réservé"):
        book(space.network, room, at(room, 10, 30), at(room, 11, 30))
    assert Booking.objects.count() == 1
    # A neighbouring slot is free.
    assert book(space.network, room, at(room, 11), at(room, 12)).tariff == "other"


def test_the_database_refuses_a_second_row_for_a_unit_and_slot(space, room):
    booking = book(space.member, room, at(room, 10), at(room, 10, 30))
    with pytest.raises(IntegrityError):
        BookingSlot.objects.create(booking=booking, resource=room, unit=1, start=at(room, 10))


def test_capacity_gives_each_booking_its_own_unit(space):
    desks = make_resource(space, name="Coworking", kind="desk", capacity=2)
    first = book(space.member, desks, at(desks, 9), at(desks, 12))
    second = book(space.network, desks, at(desks, 10), at(desks, 11))
    assert {first.unit, second.unit} == {1, 2}
    with pytest.raises(SlotTaken):
        book(space.editor, desks, at(desks, 10, 30), at(desks, 11))


def test_a_unit_taken_between_the_read_and_the_write_moves_to_the_next(space, monkeypatch):
    """The race: another booking took unit 1 after we read it free; unit 2 is used instead,
    and when no unit is left the message says the slot was just taken."""
    desks = make_resource(space, name="Coworking", kind="desk", capacity=2)
    other = book(space.network, desks, at(desks, 10), at(desks, 11))
    assert other.unit == 1
    monkeypatch.setattr(services, "free_units", lambda resource, starts: [1, 2])
    mine = book(space.member, desks, at(desks, 10), at(desks, 11))
    assert mine.unit == 2
    with pytest.raises(SlotTaken, match="vient d'être réservé"):
        book(space.editor, desks, at(desks, 10), at(desks, 11))
    assert BookingSlot.objects.filter(resource=desks).count() == 4
    assert Booking.objects.filter(resource=desks).count() == 2


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ((7, 30), (8, 30), "horaires d'ouverture"),
        ((19, 30), (20, 30), "horaires d'ouverture"),
        ((10, 15), (11, 15), "créneaux de 30 minutes"),
        ((10, 0), (15, 0), "Durée maximale"),
        ((11, 0), (10, 0), "après le début"),
    ],
)
def test_hours_grid_and_durations(space, room, start, end, message):
    with pytest.raises(ValidationFailed, match=message):
        book(space.member, room, at(room, *start), at(room, *end))


def test_minimum_duration_past_slots_and_closures(space):
    room = make_resource(space, name="Cuisine", kind="kitchen", min_minutes=60)
    with pytest.raises(ValidationFailed, match="Durée minimale"):
        book(space.member, room, at(room, 10), at(room, 10, 30))
    with pytest.raises(ValidationFailed, match="déjà passé"):
        book(space.member, room, at(room, 10, days=-1), at(room, 11, days=-1))
    day = at(room, 10).date()
    services.closure_add(
        actor=space.editor, resource=room, starts_on=day, ends_on=day, reason="Férié"
    )
    with pytest.raises(ValidationFailed, match="fermée ce jour-là \\(Férié\\)"):
        book(space.member, room, at(room, 10), at(room, 11))


def test_closed_weekday(space):
    room = make_resource(space, name="Atelier laine", kind="workshop")
    day = at(room, 10).weekday()
    services.opening_hours_set(
        actor=space.editor,
        resource=room,
        hours=[(d, "09:00", "12:00") for d in range(7) if d != day],
    )
    with pytest.raises(ValidationFailed, match="fermée ce jour-là"):
        book(space.member, room, at(room, 10), at(room, 11))


def test_who_may_book(space):
    members_only = make_resource(space, name="Bureau", who_may_book="members")
    with pytest.raises(BookingRefused, match="réservée aux membres de Tiers-lieu test"):
        book(space.network, members_only, at(members_only, 10), at(members_only, 11))
    network = make_resource(space, name="Salle réseau", who_may_book="network")
    with pytest.raises(BookingRefused, match="membres du réseau"):
        book(space.outsider, network, at(network, 10), at(network, 11))
    anyone = make_resource(space, name="Salle ouverte", who_may_book="authenticated")
    assert book(space.outsider, anyone, at(anyone, 10), at(anyone, 11)).tariff == "other"
    inactive = make_resource(space, name="Salle fermée", is_active=False)
    with pytest.raises(BookingRefused, match="pas réservable"):
        book(space.editor, inactive, at(inactive, 10), at(inactive, 11))


def test_members_of_a_twinned_tiers_lieu_book_under_the_partner_rules(space):
    shared = make_resource(space, name="Salle partagée", who_may_book="partners")
    with pytest.raises(BookingRefused, match="tiers-lieux jumelés"):
        book(space.partner, shared, at(shared, 10), at(shared, 11))
    sign_twinning(space)
    booking = book(space.partner, shared, at(shared, 10), at(shared, 11))
    assert booking.tariff == "partner" and booking.price == Decimal("15.00")
    # Other members of the network are still refused, the host's members pay the member price.
    with pytest.raises(BookingRefused):
        book(space.network, shared, at(shared, 12), at(shared, 13))
    assert book(space.member, shared, at(shared, 12), at(shared, 13)).tariff == "member"


def test_training_is_required_then_granted(space):
    printer = make_resource(space, name="Imprimante 3D", kind="machine", training_required=True)
    with pytest.raises(BookingRefused, match="demande une formation"):
        book(space.member, printer, at(printer, 10), at(printer, 11))
    with pytest.raises(PermissionDenied):
        services.training_grant(actor=space.member, resource=printer, user=space.member)
    services.training_grant(actor=space.editor, resource=printer, user=space.member)
    assert book(space.member, printer, at(printer, 10), at(printer, 11)).unit == 1
    assert Notification.objects.filter(
        recipient=space.member, topic="booking", verb="trained"
    ).exists()


def test_cancel_frees_the_slot_and_the_tiers_lieu_notifies_the_booker(space, room):
    booking = book(space.network, room, at(room, 10), at(room, 11))
    with pytest.raises(PermissionDenied):
        services.booking_cancel(actor=space.member, booking=booking)
    services.booking_cancel(actor=space.editor, booking=booking)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancelled_by == space.editor
    assert not BookingSlot.objects.filter(booking=booking).exists()
    note = Notification.objects.get(recipient=space.network, topic="booking", verb="cancelled")
    assert "annulée par Tiers-lieu test" in note.title
    with pytest.raises(PermissionDenied):  # already cancelled
        services.booking_cancel(actor=space.network, booking=booking)
    again = book(space.member, room, at(room, 10), at(room, 11))
    assert again.unit == 1


def test_the_booker_cancels_their_own_without_notification(space, room):
    booking = book(space.member, room, at(room, 10), at(room, 11))
    services.booking_cancel(actor=space.member, booking=booking)
    assert not Notification.objects.filter(recipient=space.member, verb="cancelled").exists()


def test_an_editor_books_for_someone_who_is_notified(space, room):
    booking = book(space.editor, room, at(room, 14), at(room, 15), user=space.network)
    assert booking.user == space.network
    assert Notification.objects.filter(recipient=space.network, verb="booked").exists()
    with pytest.raises(PermissionDenied):
        book(space.network, room, at(room, 16), at(room, 17), user=space.member)


def test_resources_are_for_tiers_lieux_and_grids_must_be_consistent(space):
    from tests.accounts.factories import MembershipFactory, OrganisationFactory

    startup = OrganisationFactory(kind="startup")
    editor = MembershipFactory(organisation=startup, role="editor").user
    with pytest.raises(ValidationFailed, match="Seuls les tiers-lieux"):
        services.resource_create(actor=editor, organisation=startup, name="Bureau")
    with pytest.raises(PermissionDenied):
        services.resource_create(actor=space.member, organisation=space.organisation, name="X")
    with pytest.raises(ValidationFailed) as error:
        services.resource_create(
            actor=space.editor,
            organisation=space.organisation,
            name="X",
            slot_minutes=30,
            min_minutes=45,
        )
    assert "min_minutes" in error.value.field_errors
    with pytest.raises(ValidationFailed, match="se chevauchent"):
        room = make_resource(space, name="Y")
        services.opening_hours_set(
            actor=space.editor, resource=room, hours=[(0, "08:00", "12:00"), (0, "11:00", "14:00")]
        )


def test_slots_are_local_wall_clock_times(space, room):
    """A 10:00 booking is stored in UTC and reads 10:00 in the tiers-lieu's zone (UTC+1 or
    UTC+2 in Paris depending on the season)."""
    start = at(room, 10)
    assert start.utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2))
    booking = book(space.member, room, start, at(room, 11))
    assert booking.starts_at.astimezone(room.zone).hour == 10
