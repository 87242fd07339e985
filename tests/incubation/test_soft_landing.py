"""The soft-landing request lifecycle, the host's capacity and the stay's follow-up."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from mediane.core.errors import Conflict, ValidationFailed
from mediane.incubation import services
from mediane.incubation.models import RequestStatus, StayOutcome
from mediane.notifications.models import Notification
from tests.incubation.factories import (
    incubator,
    person,
    soft_landing_request,
    soft_landing_world,
    startup,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return soft_landing_world(
        places=1,
        capacity_days=365,
        host_member=("host", "member"),
        home_editor=("home", "editor"),
    )


def ask(w, start_in=10, days=14, startup=None, founder=None):
    return soft_landing_request(
        w,
        start_in=start_in,
        days=days,
        needs=["desk", "mentoring"],
        message="Nous visons le marché québécois.",
        startup=startup,
        founder=founder,
    )


def topics_of(user):
    return list(Notification.objects.filter(recipient=user).values_list("topic", "verb"))


def test_request_goes_to_the_host_and_is_accepted(world):
    request = ask(world)
    assert request.host == world["host"] and request.status == RequestStatus.REQUESTED
    assert ("incubation", "request_created") in topics_of(world["host_editor"])
    assert ("incubation", "request_created") in topics_of(world["home_editor"])

    with pytest.raises(PermissionDenied):  # members of the host do not decide
        services.request_accept(actor=world["host_member"], request=request)
    with pytest.raises(PermissionDenied):  # nor the start-up
        services.request_accept(actor=world["founder"], request=request)

    services.request_accept(actor=world["host_editor"], request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED and request.decided_by == world["host_editor"]
    assert ("incubation", "request_accepted") in topics_of(world["founder"])
    with pytest.raises(PermissionDenied):  # decided once
        services.request_decline(actor=world["host_editor"], request=request, reason="non")


def test_request_validation(world):
    today = world["today"]
    with pytest.raises(ValidationFailed) as error:
        services.request_create(
            actor=world["founder"],
            startup=world["startup"],
            agreement=world["agreement"],
            home=world["home"],
            start=today - timedelta(days=1),
            end=today - timedelta(days=3),
            needs=["jacuzzi"],
        )
    assert {"start", "end", "needs"} <= set(error.value.field_errors)
    outsider_home = incubator("Autre incubateur")
    with pytest.raises(ValidationFailed) as error:
        services.request_create(
            actor=world["founder"],
            startup=world["startup"],
            agreement=world["agreement"],
            home=outsider_home,
            start=today + timedelta(days=3),
            end=today + timedelta(days=4),
            needs=["desk"],
        )
    assert "home" in error.value.field_errors
    with pytest.raises(PermissionDenied):
        ask(world, founder=world["home_editor"])


def test_request_outside_agreement_is_refused(world):
    world["agreement"].end = world["today"] + timedelta(days=20)
    world["agreement"].save()
    with pytest.raises(ValidationFailed) as error:
        ask(world, start_in=10, days=14)
    assert "agreement" in error.value.field_errors


def test_decline_needs_a_reason(world):
    request = ask(world)
    with pytest.raises(ValidationFailed):
        services.request_decline(actor=world["host_editor"], request=request, reason="  ")
    services.request_decline(actor=world["host_editor"], request=request, reason="Plus de place")
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED and request.decision_note == "Plus de place"
    assert ("incubation", "request_declined") in topics_of(world["founder"])


def test_other_dates_accepted_by_the_startup(world):
    request = ask(world)
    new_start = world["today"] + timedelta(days=40)
    with pytest.raises(ValidationFailed):  # end before start
        services.request_propose_dates(
            actor=world["host_editor"],
            request=request,
            start=new_start,
            end=new_start - timedelta(days=2),
        )
    services.request_propose_dates(
        actor=world["host_editor"],
        request=request,
        start=new_start,
        end=new_start + timedelta(days=6),
        note="Après notre festival",
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.DATES_PROPOSED
    assert ("incubation", "dates_proposed") in topics_of(world["founder"])
    with pytest.raises(PermissionDenied):  # the host does not answer for the start-up
        services.request_accept_dates(actor=world["host_editor"], request=request)
    services.request_accept_dates(actor=world["founder"], request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    assert (request.start, request.end) == (new_start, new_start + timedelta(days=6))
    assert request.requested_start == world["today"] + timedelta(days=10)


def test_other_dates_declined_by_the_startup(world):
    request = ask(world)
    start = world["today"] + timedelta(days=40)
    services.request_propose_dates(
        actor=world["host_editor"], request=request, start=start, end=start
    )
    services.request_cancel(actor=world["founder"], request=request, declining_dates=True)
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED
    assert ("incubation", "dates_declined") in topics_of(world["host_editor"])


def test_capacity_is_respected_on_every_day(world):
    other = startup("Deuxième pousse")
    other_founder = person(other, "editor")
    first = ask(world, start_in=10, days=14)
    services.request_accept(actor=world["host_editor"], request=first)
    # overlaps only on the last day of the first stay
    second = ask(world, start_in=23, days=5, startup=other, founder=other_founder)
    with pytest.raises(Conflict) as error:
        services.request_accept(actor=world["host_editor"], request=second)
    assert error.value.code == "capacity_exceeded"
    second.refresh_from_db()
    assert second.status == RequestStatus.REQUESTED
    # the day after the first stay is free
    third_startup = startup("Troisième pousse")
    third = ask(world, start_in=24, days=5, startup=third_startup, founder=person(third_startup))
    services.request_accept(actor=world["host_editor"], request=third)
    # freeing the first stay is not enough: the third one holds days 24 to 27
    services.request_cancel(actor=world["founder"], request=first)
    with pytest.raises(Conflict):
        services.request_accept(actor=world["host_editor"], request=second)
    services.request_cancel(actor=third.requested_by, request=third)
    services.request_accept(actor=world["host_editor"], request=second)
    second.refresh_from_db()
    assert second.status == RequestStatus.ACCEPTED


def test_no_declared_capacity_means_no_place(world):
    request = ask(world, start_in=10, days=3)
    world["host"].soft_landing_capacities.all().delete()
    with pytest.raises(Conflict) as error:
        services.request_accept(actor=world["host_editor"], request=request)
    assert error.value.code == "no_capacity"


def test_capacity_periods_do_not_overlap_and_cover_accepted_stays(world):
    today = world["today"]
    with pytest.raises(ValidationFailed):
        services.capacity_set(
            actor=world["host_editor"], host=world["host"], start=today, end=today, places=3
        )
    with pytest.raises(PermissionDenied):
        services.capacity_set(
            actor=world["home_editor"],
            host=world["host"],
            start=today + timedelta(days=400),
            end=today + timedelta(days=401),
            places=3,
        )
    request = ask(world)
    services.request_accept(actor=world["host_editor"], request=request)
    period = world["host"].soft_landing_capacities.get()
    with pytest.raises(Conflict):
        services.capacity_delete(actor=world["host_editor"], capacity=period)


def test_stay_follow_up_and_outcomes(world):
    request = ask(world, start_in=0, days=5)
    services.request_accept(actor=world["host_editor"], request=request)
    with pytest.raises(PermissionDenied):  # outcomes come once the stay has begun
        services.stay_outcome_record(actor=world["host_editor"], request=request, contacts_made=1)
    services.stay_start(actor=world["home_editor"], request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS
    note = services.stay_note_add(actor=world["host_editor"], request=request, body="Arrivée ok")
    assert note.organisation == world["host"]
    assert ("incubation", "stay_note") in topics_of(world["home_editor"])
    with pytest.raises(PermissionDenied):  # the start-up does not write the journal
        services.stay_note_add(actor=world["founder"], request=request, body="Bonjour")
    services.stay_outcome_record(
        actor=world["host_editor"],
        request=request,
        contacts_made=12,
        contracts_signed=1,
        contracts_amount=Decimal("15000"),
        currency="CAD",
        jobs_created=2,
    )
    services.stay_outcome_record(actor=world["home_editor"], request=request, contacts_made=3)
    services.stay_outcome_record(actor=world["host_editor"], request=request, contacts_made=13)
    assert StayOutcome.objects.filter(request=request).count() == 2
    assert StayOutcome.objects.get(request=request, organisation=world["host"]).contacts_made == 13
    with pytest.raises(ValidationFailed):
        services.stay_outcome_record(
            actor=world["host_editor"], request=request, contracts_amount=Decimal("10")
        )
    services.stay_complete(actor=world["host_editor"], request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED and request.end == world["today"]


def test_stay_cannot_start_before_its_first_day(world):
    request = ask(world, start_in=3, days=2)
    services.request_accept(actor=world["host_editor"], request=request)
    with pytest.raises(Conflict):
        services.stay_start(actor=world["host_editor"], request=request)


def test_ending_an_agreement(world):
    pending = ask(world, start_in=50, days=2)
    accepted = ask(world, start_in=5, days=2)
    services.request_accept(actor=world["host_editor"], request=accepted)
    admin = person(world["home"], "admin")
    with pytest.raises(Conflict):
        services.agreement_end(actor=admin, agreement=world["agreement"])
    services.request_cancel(actor=world["founder"], request=accepted)
    with pytest.raises(PermissionDenied):
        services.agreement_end(actor=world["home_editor"], agreement=world["agreement"])
    services.agreement_end(actor=admin, agreement=world["agreement"], note="Fin du programme")
    pending.refresh_from_db()
    assert pending.status == RequestStatus.CANCELLED
    world["agreement"].refresh_from_db()
    assert world["agreement"].end == world["today"]
