"""Registration, approval, check-in, availability, wishes, requests (lifecycle, expiry and
reminders) and outcomes of the summit, through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from mediane.core.errors import Conflict, ValidationFailed
from mediane.notifications.models import Notification
from mediane.summit import services
from mediane.summit.models import (
    MeetingRequest,
    MeetingSlot,
    MeetingWish,
    RegistrationStatus,
    RequestStatus,
)
from tests.directory.factories import OrganisationFactory, UserFactory, member_of
from tests.summit.factories import make_edition, register, session

pytestmark = pytest.mark.django_db


# --- registration ---------------------------------------------------------------------------


def test_registration_pending_then_approved_and_notified(summit):
    registration = register(summit, "Alice Tremblay", approve=False)
    assert registration.status == RegistrationStatus.PENDING
    # The host city's editors (organisers) are told there is one to approve.
    assert Notification.objects.filter(
        recipient=summit.host_editor, verb="registration.pending"
    ).exists()
    services.registration_decide(actor=summit.host_editor, registration=registration, approve=True)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED
    assert Notification.objects.filter(
        recipient=registration.user, verb="registration.decided"
    ).exists()
    with pytest.raises(Conflict):
        services.registration_decide(
            actor=summit.host_editor, registration=registration, approve=False, note="non"
        )


def test_decline_needs_a_reason_and_only_organisers_decide(summit):
    registration = register(summit, "Bob Gagnon", approve=False)
    with pytest.raises(ValidationFailed):
        services.registration_decide(
            actor=summit.secretariat, registration=registration, approve=False
        )
    with pytest.raises(PermissionDenied):
        services.registration_decide(
            actor=summit.people[0].user, registration=registration, approve=True
        )
    services.registration_decide(
        actor=summit.secretariat, registration=registration, approve=False, note="Complet"
    )
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.DECLINED
    assert registration.decision_note == "Complet"


def test_no_approval_needed_registers_at_once(db):
    edition = make_edition(approval_required=False)
    user = UserFactory()
    registration = services.registration_create(
        actor=user, edition=edition, participant_type="expert"
    )
    assert registration.status == RegistrationStatus.APPROVED


def test_registration_refusals(summit):
    user = UserFactory()
    edition = summit.edition
    # Only for an organisation one belongs to.
    stranger_org = OrganisationFactory()
    with pytest.raises(ValidationFailed) as exc:
        services.registration_create(
            actor=user, edition=edition, participant_type="company", organisation=stranger_org
        )
    assert "organisation" in exc.value.field_errors
    # Not as an organiser unless one is.
    with pytest.raises(ValidationFailed):
        services.registration_create(actor=user, edition=edition, participant_type="organiser")
    # Unknown type.
    with pytest.raises(ValidationFailed):
        services.registration_create(actor=user, edition=edition, participant_type="pirate")
    services.registration_create(actor=user, edition=edition, participant_type="press")
    with pytest.raises(Conflict):
        services.registration_create(actor=user, edition=edition, participant_type="press")
    # Closed registration.
    edition.registration_open = False
    edition.save()
    with pytest.raises(Conflict):
        services.registration_create(actor=UserFactory(), edition=edition, participant_type="press")
    # Anonymous.
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.registration_create(
            actor=AnonymousUser(), edition=edition, participant_type="press"
        )


def test_check_in_once_and_only_approved(summit):
    person = summit.people[0]
    with pytest.raises(PermissionDenied):
        services.registration_check_in(actor=summit.people[1].user, registration=person)
    services.registration_check_in(actor=summit.host_editor, registration=person)
    person.refresh_from_db()
    assert person.checked_in_at is not None and person.checked_in_by == summit.host_editor
    with pytest.raises(Conflict, match="Déjà accueilli"):
        services.registration_check_in(actor=summit.host_editor, registration=person)
    pending = register(summit, "Chloé Roy", approve=False)
    with pytest.raises(Conflict):
        services.registration_check_in(actor=summit.host_editor, registration=pending)


def test_cancel_cancels_open_requests(summit):
    a, b = summit.people[:2]
    request = services.request_send(actor=a.user, sender=a, recipient=b)
    services.registration_cancel(actor=a.user, registration=a)
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED


# --- availability -----------------------------------------------------------------------------


def test_available_slots_follow_arrival_half_day_sessions_and_exclusions(summit):
    person = summit.people[0]
    slots = list(MeetingSlot.objects.filter(edition=summit.edition).order_by("starts_at"))
    assert [s.number for s in slots] == [1, 2, 3, 4, 5, 6]
    assert [s.half_day for s in slots] == ["am"] * 3 + ["pm"] * 3
    assert services.available_slot_numbers(person, slots) == {1, 2, 3, 4, 5, 6}
    plenary = session(summit, dt.time(9, 20), dt.time(9, 40))  # overlaps slot 2 only
    services.availability_update(
        actor=person.user,
        registration=person,
        arrives_at=slots[0].ends_at,  # misses slot 1
        departs_at=None,
        half_day="",
        unavailable_slots=[slots[5]],
        attended_sessions=[plenary],
    )
    person.refresh_from_db()
    assert services.available_slot_numbers(person, slots) == {3, 4, 5}
    services.availability_update(
        actor=person.user,
        registration=person,
        arrives_at=None,
        departs_at=None,
        half_day="pm",
        unavailable_slots=[],
        attended_sessions=[],
    )
    person.refresh_from_db()
    assert services.available_slot_numbers(person, slots) == {4, 5, 6}


def test_availability_refuses_departure_before_arrival_and_other_people(summit):
    person = summit.people[0]
    now = timezone.now()
    with pytest.raises(ValidationFailed) as exc:
        services.availability_update(
            actor=person.user,
            registration=person,
            arrives_at=now,
            departs_at=now - dt.timedelta(hours=1),
            half_day="",
        )
    assert "departs_at" in exc.value.field_errors
    with pytest.raises(PermissionDenied):
        services.availability_update(
            actor=summit.people[1].user,
            registration=person,
            arrives_at=None,
            departs_at=None,
            half_day="",
        )


def test_slots_cannot_overlap_and_must_be_in_the_edition(summit):
    with pytest.raises(Conflict):
        services.slots_generate(
            actor=summit.secretariat,
            edition=summit.edition,
            day=summit.edition.starts_on,
            start=dt.time(9, 0),
            end=dt.time(10, 0),
            minutes=20,
        )
    with pytest.raises(ValidationFailed):
        services.slots_generate(
            actor=summit.secretariat,
            edition=summit.edition,
            day=summit.edition.ends_on + dt.timedelta(days=3),
            start=dt.time(9, 0),
            end=dt.time(10, 0),
            minutes=20,
        )
    # A second day is appended and every slot renumbered in time order.
    created = services.slots_generate(
        actor=summit.secretariat,
        edition=summit.edition,
        day=summit.edition.ends_on,
        start=dt.time(9, 0),
        end=dt.time(12, 0),
        minutes=30,
        lunch_start=dt.time(10, 0),
        lunch_end=dt.time(10, 30),
    )
    # 9:00, 9:30, then the lunch break, then 10:30, 11:00, 11:30; lunch splits the half-days.
    zone = created[0].starts_at.tzinfo
    times = [s.starts_at.astimezone(zone).strftime("%H:%M") for s in created]
    assert times == ["09:00", "09:30", "10:30", "11:00", "11:30"]
    assert [s.half_day for s in created] == ["am", "am", "pm", "pm", "pm"]
    numbers = list(
        MeetingSlot.objects.filter(edition=summit.edition)
        .order_by("starts_at")
        .values_list("number", flat=True)
    )
    assert numbers == list(range(1, len(numbers) + 1))


# --- wishes and requests ----------------------------------------------------------------------


def test_wish_set_update_and_remove(summit):
    a, b = summit.people[:2]
    services.wish_set(actor=a.user, author=a, target=b, level="must")
    services.wish_set(actor=a.user, author=a, target=b, level="would")
    assert MeetingWish.objects.get(author=a, target=b).level == "would"
    services.wish_set(actor=a.user, author=a, target=b, level=None)
    assert not MeetingWish.objects.filter(author=a, target=b).exists()
    with pytest.raises(ValidationFailed):
        services.wish_set(actor=a.user, author=a, target=a, level="must")
    with pytest.raises(ValidationFailed):
        services.wish_set(actor=a.user, author=a, target=b, level="peut-être")
    with pytest.raises((PermissionDenied, Conflict)):
        services.wish_set(actor=b.user, author=a, target=b, level="must")


def test_wishes_closed_when_meetings_are_not_open(summit):
    a, b = summit.people[:2]
    summit.edition.meetings_open = False
    summit.edition.save()
    with pytest.raises(Conflict):
        services.wish_set(actor=a.user, author=a, target=b, level="must")


def test_request_lifecycle_accept(summit):
    a, b = summit.people[:2]
    request = services.request_send(actor=a.user, sender=a, recipient=b, message="Bonjour")
    assert request.status == RequestStatus.PENDING
    assert request.expires_at > timezone.now() + dt.timedelta(days=6)
    assert Notification.objects.filter(recipient=b.user, verb="request.received").exists()
    # No second open request between the two, in either direction.
    with pytest.raises(Conflict):
        services.request_send(actor=b.user, sender=b, recipient=a)
    # Only the recipient answers.
    with pytest.raises(PermissionDenied):
        services.request_answer(actor=a.user, request=request, accept=True)
    services.request_answer(actor=b.user, request=request, accept=True)
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED and request.answered_at
    assert Notification.objects.filter(recipient=a.user, verb="request.answered").exists()
    with pytest.raises(Conflict):
        services.request_answer(actor=b.user, request=request, accept=False)
    # Cancelling an accepted meeting tells the other side.
    services.request_cancel(actor=a.user, request=request)
    assert Notification.objects.filter(recipient=b.user, verb="request.cancelled").exists()


def test_request_to_someone_not_in_meetings_is_refused(summit):
    a = summit.people[0]
    pending = register(summit, "Denis Côté", approve=False)
    with pytest.raises(Conflict):
        services.request_send(actor=a.user, sender=a, recipient=pending)
    with pytest.raises(ValidationFailed):
        services.request_send(actor=a.user, sender=a, recipient=a)
    with pytest.raises(ValidationFailed):
        services.request_send(
            actor=a.user, sender=a, recipient=summit.people[1], message="x" * 3000
        )


def test_requests_expire_with_one_reminder_before(summit):
    a, b, c = summit.people[:3]
    soon = services.request_send(actor=a.user, sender=a, recipient=b)
    late = services.request_send(actor=a.user, sender=a, recipient=c)
    now = timezone.now()
    MeetingRequest.objects.filter(pk=soon.pk).update(expires_at=now + dt.timedelta(days=1))
    MeetingRequest.objects.filter(pk=late.pk).update(expires_at=now - dt.timedelta(minutes=1))
    assert services.requests_expire(now=now) == (1, 1)
    late.refresh_from_db()
    soon.refresh_from_db()
    assert late.status == RequestStatus.EXPIRED
    assert soon.status == RequestStatus.PENDING and soon.reminded_at is not None
    assert Notification.objects.filter(recipient=b.user, verb="request.reminder").count() == 1
    assert Notification.objects.filter(verb="request.expired").count() == 2  # both sides
    # Nothing is sent twice.
    assert services.requests_expire(now=now) == (0, 0)
    # An expired request cannot be answered, and its deadline is enforced even before the job.
    with pytest.raises(Conflict):
        services.request_answer(actor=c.user, request=late, accept=True)
    MeetingRequest.objects.filter(pk=soon.pk).update(expires_at=now - dt.timedelta(seconds=1))
    with pytest.raises(Conflict, match="expiré"):
        services.request_answer(actor=b.user, request=soon, accept=True)


def test_organiser_membership_through_host_city(summit):
    from mediane.summit.rules import is_organiser

    assert is_organiser(summit.host_editor, summit.edition)
    assert is_organiser(summit.secretariat, summit.edition)
    assert not is_organiser(summit.people[0].user, summit.edition)
    plain_member = member_of(summit.edition.organiser, "member")
    assert not is_organiser(plain_member, summit.edition)


# --- outcomes and return on investment --------------------------------------------------------


def _published_meeting(summit, a, b, slot_number=1):
    from mediane.summit.models import Meeting, MeetingTable, ScheduleRun

    run = summit.edition.published_run or ScheduleRun.objects.create(
        edition=summit.edition, status="done"
    )
    summit.edition.published_run = run
    summit.edition.save()
    return Meeting.objects.create(
        run=run,
        edition=summit.edition,
        first=a,
        second=b,
        priority="must",
        slot=summit.slot(slot_number),
        table=MeetingTable.objects.filter(edition=summit.edition).first(),
    )


def test_outcomes_after_the_meeting_and_the_return_on_investment(summit):
    from decimal import Decimal

    from mediane.summit import selectors
    from mediane.summit.models import MeetingSlot

    city_org = OrganisationFactory(kind="collectivite", name="Ville de Lourdes")
    city_user = member_of(city_org, "editor")
    city = services.registration_create(
        actor=city_user, edition=summit.edition, participant_type="city", organisation=city_org
    )
    services.registration_decide(actor=summit.secretariat, registration=city, approve=True)
    a, b = summit.people[:2]
    with_city = _published_meeting(summit, city, a, 1)
    other = _published_meeting(summit, a, b, 2)
    # Not before the meeting has started.
    with pytest.raises(Conflict):
        services.outcome_record(actor=a.user, meeting=with_city, took_place=True, result="quote")
    MeetingSlot.objects.filter(edition=summit.edition).update(
        starts_at=timezone.now() - dt.timedelta(days=1),
        ends_at=timezone.now() - dt.timedelta(days=1) + dt.timedelta(minutes=20),
    )
    with_city.refresh_from_db()
    other.refresh_from_db()
    # Only the two sides.
    with pytest.raises(PermissionDenied):
        services.outcome_record(actor=b.user, meeting=with_city, took_place=True)
    with pytest.raises(ValidationFailed):
        services.outcome_record(
            actor=a.user, meeting=with_city, took_place=True, amount=Decimal("-1")
        )
    services.outcome_record(actor=a.user, meeting=with_city, took_place=True, result="quote")
    services.outcome_record(
        actor=city_user, meeting=with_city, took_place=True, result="pilot",
        amount=Decimal("12000"),
    )  # fmt: skip
    # Recording again replaces one's answer; "did not take place" drops the result.
    services.outcome_record(actor=b.user, meeting=other, took_place=True, result="contract")
    services.outcome_record(actor=b.user, meeting=other, took_place=False, result="contract")
    roi = selectors.roi(summit.secretariat, summit.edition)
    assert (roi.meetings, roi.with_outcome, roi.took_place) == (2, 2, 1)
    assert roi.results["pilot"] == 1 and roi.results["contract"] == 0  # the best of both sides
    assert roi.amount == Decimal("12000")
    assert roi.by_city == [
        {"organisation_id": city_org.pk, "name": "Ville de Lourdes", "meetings": 1, "pilot": 1}
    ]
    # A city's members see their own city's figures; others do not.
    own = selectors.roi(city_user, summit.edition, organisation_id=city_org.pk)
    assert own.meetings == 1
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.roi(a.user, summit.edition, organisation_id=city_org.pk)
    with pytest.raises(PermissionDenied):
        selectors.roi(city_user, summit.edition)
