"""`mediane demo`, tiers-lieux part: Lourdes' tiers-lieu has its bookable resources (coworking
desks, a meeting room, a 3D printer and a laser cutter that need training, a shared kitchen, a
wool workshop) with hours, a training and bookings in the coming days; a second load changes
nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from mediane.tierslieux.models import Booking, BookingSlot, Resource, Training
from tests.demo.loading import run_demo

pytestmark = pytest.mark.django_db


def test_lourdes_tiers_lieu_resources_and_bookings(demo_loaded):
    resources = {
        r.kind + ":" + r.name: r
        for r in Resource.objects.filter(organisation__name="Tiers-lieu et incubateur de Lourdes")
    }
    assert {key.split(":")[0] for key in resources} == {
        "desk", "meeting_room", "machine", "kitchen", "workshop",
    }  # fmt: skip
    machines = [r for r in resources.values() if r.kind == "machine"]
    assert len(machines) == 2 and all(m.training_required for m in machines)
    assert all(r.opening_hours.exists() for r in resources.values())
    assert Training.objects.filter(user__email="membre.lourdes@example.org").exists()
    bookings = Booking.objects.filter(resource__in=resources.values())
    assert bookings.count() >= 5
    assert all(b.starts_at > timezone.now() for b in bookings)
    assert BookingSlot.objects.filter(booking__in=bookings).exists()


def test_second_load_changes_nothing(demo_loaded):
    before = Resource.objects.count(), Booking.objects.count()
    run_demo()
    assert (Resource.objects.count(), Booking.objects.count()) == before
