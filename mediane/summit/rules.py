"""Permission rules of the summit (registered with core.permissions.rule).

Organisers of an edition are the secretariat, the editors and administrators of the edition's
host organisation, and people whose approved registration is of type "organiser". A participant
sees their own registration, requests, meetings and agenda; the list of participants is for the
edition's approved participants and its organisers only. Rules answer "who"; the services also
check "when" (registration open, meetings open, request still pending) and say why in French.
"""

from __future__ import annotations

from typing import Any

from mediane.core.permissions import has_role, is_authenticated, is_secretariat, rule
from mediane.summit.models import (
    Edition,
    EditionStatus,
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    ParticipantType,
    Registration,
    RegistrationStatus,
    ScheduleRun,
)


def is_organiser(user: Any, edition: Edition) -> bool:
    """True for the secretariat, the host organisation's editors and approved organisers."""
    if not is_authenticated(user):
        return False
    if is_secretariat(user) or getattr(user, "is_superuser", False):
        return True
    if edition.organiser_id is not None and has_role(user, edition.organiser_id, "editor"):  # type: ignore[attr-defined]
        return True
    cache: dict[int, bool] = edition.__dict__.setdefault("_organisers", {})
    if user.pk not in cache:
        cache[user.pk] = Registration.objects.filter(
            edition=edition,
            user=user,
            participant_type=ParticipantType.ORGANISER,
            status=RegistrationStatus.APPROVED,
        ).exists()
    return cache[user.pk]


def registration_of(user: Any, edition: Edition) -> Registration | None:
    """The user's registration to `edition` (any state), or None; cached on the edition."""
    if not is_authenticated(user):
        return None
    cache: dict[int, Registration | None] = edition.__dict__.setdefault("_registrations", {})
    if user.pk not in cache:
        cache[user.pk] = (
            Registration.objects.select_related("organisation")
            .filter(edition=edition, user=user)
            .first()
        )
    return cache[user.pk]


def is_participant(user: Any, edition: Edition) -> bool:
    registration = registration_of(user, edition)
    return registration is not None and registration.status == RegistrationStatus.APPROVED


@rule(Edition, "view")
def view_edition(user: Any, edition: Edition) -> bool:
    return edition.status == EditionStatus.PUBLISHED or is_organiser(user, edition)


@rule(Edition, "register")
def register_edition(user: Any, edition: Edition) -> bool:
    return is_authenticated(user) and view_edition(user, edition)


@rule(Edition, "manage")
def manage_edition(user: Any, edition: Edition) -> bool:
    return is_organiser(user, edition)


@rule(Edition, "browse_participants")
def browse_participants(user: Any, edition: Edition) -> bool:
    """The participants' list and profiles: approved participants and organisers."""
    return is_organiser(user, edition) or (
        edition.status == EditionStatus.PUBLISHED and is_participant(user, edition)
    )


@rule(Registration, "view")
def view_registration(user: Any, registration: Registration) -> bool:
    """One's own registration, or any registration for the organisers."""
    if not is_authenticated(user):
        return False
    return registration.user_id == user.pk or is_organiser(user, registration.edition)  # type: ignore[attr-defined]


@rule(Registration, "change")
def change_registration(user: Any, registration: Registration) -> bool:
    """Profile and availability: the person themself (organisers help at the desk)."""
    return view_registration(user, registration)


@rule(Registration, "decide", "checkin")
def decide_registration(user: Any, registration: Registration) -> bool:
    return is_organiser(user, registration.edition)


@rule(MeetingRequest, "view")
def view_request(user: Any, request: MeetingRequest) -> bool:
    if not is_authenticated(user):
        return False
    people = {request.sender.user_id, request.recipient.user_id}  # type: ignore[attr-defined]
    return user.pk in people or is_organiser(user, request.edition)


@rule(MeetingRequest, "answer")
def answer_request(user: Any, request: MeetingRequest) -> bool:
    return is_authenticated(user) and request.recipient.user_id == user.pk  # type: ignore[attr-defined]


@rule(MeetingRequest, "cancel")
def cancel_request(user: Any, request: MeetingRequest) -> bool:
    return is_authenticated(user) and request.sender.user_id == user.pk  # type: ignore[attr-defined]


@rule(ScheduleRun, "view", "publish")
def manage_run(user: Any, run: ScheduleRun) -> bool:
    return is_organiser(user, run.edition)


@rule(Meeting, "view")
def view_meeting(user: Any, meeting: Meeting) -> bool:
    """The two participants (once the schedule is published) and the organisers."""
    if not is_authenticated(user):
        return False
    if is_organiser(user, meeting.edition):
        return True
    published = meeting.edition.published_run_id == meeting.run_id  # type: ignore[attr-defined]
    return published and user.pk in {meeting.first.user_id, meeting.second.user_id}  # type: ignore[attr-defined]


@rule(Meeting, "move")
def move_meeting(user: Any, meeting: Meeting) -> bool:
    return is_organiser(user, meeting.edition)


@rule(Meeting, "record_outcome")
def record_outcome(user: Any, meeting: Meeting) -> bool:
    """Each side records what came of the meeting."""
    if not is_authenticated(user):
        return False
    published = meeting.edition.published_run_id == meeting.run_id  # type: ignore[attr-defined]
    return published and user.pk in {meeting.first.user_id, meeting.second.user_id}  # type: ignore[attr-defined]


@rule(MeetingOutcome, "view")
def view_outcome(user: Any, outcome: MeetingOutcome) -> bool:
    if not is_authenticated(user):
        return False
    return outcome.registration.user_id == user.pk or is_organiser(  # type: ignore[attr-defined]
        user, outcome.meeting.edition
    )
