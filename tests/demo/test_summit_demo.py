"""`mediane demo`, summit part: the past editions as published facts, the 2027 demo edition with
its programme, about 120 participants, wishes and requests in every state, a schedule computed
and published (checked independently), agendas for the demo accounts, and a second load that
changes nothing.

The demo is the package's load (tests/demo/conftest.py: it runs the scheduler), in a transaction
rolled back at the end; each test runs in its own savepoint.
"""

from __future__ import annotations

import zoneinfo
from collections import Counter
from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from mediane.accounts.models import Membership, User
from mediane.core.models import AuditEntry
from mediane.demo import summit_data
from mediane.notifications.models import Notification
from mediane.summit import scheduling, selectors, services
from mediane.summit.models import (
    Edition,
    Meeting,
    MeetingRequest,
    MeetingWish,
    ProgrammeSession,
    Registration,
    RunStatus,
    ScheduleRun,
    Speaker,
)
from mediane.summit.rules import is_organiser
from tests.demo.loading import run_demo

pytestmark = pytest.mark.django_db

SLUG = summit_data.UPCOMING["slug"]
ACCOUNTS = ("startup@example.org", "editeur.lourdes@example.org", "expert@example.org")


@pytest.fixture
def loaded(demo_loaded: str) -> str:
    """What the package's load of the demo printed (tests/demo/conftest.py): it ran the
    scheduler and published the schedule."""
    return demo_loaded


@pytest.fixture
def edition(loaded) -> Edition:  # type: ignore[no-untyped-def]
    return Edition.objects.get(slug=SLUG)


def test_past_editions_are_the_published_facts(loaded):
    past = {e.year: e for e in Edition.objects.filter(is_demo=False)}
    assert sorted(past) == [2018, 2019, 2020, 2022, 2023, 2024, 2025]
    hosts = {year: (e.host_city, e.starts_on, e.ends_on) for year, e in past.items()}
    assert hosts[2018] == ("Nevers", date(2018, 11, 8), date(2018, 11, 10))
    assert hosts[2019] == ("Shawinigan", date(2019, 11, 13), date(2019, 11, 15))
    assert hosts[2020] == ("Nevers", date(2020, 10, 9), date(2020, 10, 9))
    assert hosts[2022] == ("Thetford Mines", date(2022, 10, 25), date(2022, 10, 27))
    assert hosts[2023] == ("Nevers", date(2023, 10, 25), date(2023, 10, 27))
    assert hosts[2024] == ("Drummondville", date(2024, 10, 8), date(2024, 10, 10))
    assert hosts[2025] == ("Dunkerque", date(2025, 6, 3), date(2025, 6, 4))
    for e in past.values():
        assert e.status == "published" and not e.registration_open and not e.meetings_open
        assert e.time_zone == {"FR": "Europe/Paris", "QC": "America/Toronto"}[e.country]
        assert e.organiser.name == f"Ville de {e.host_city}"
        assert e.host_territory.name == e.host_city
        assert not e.registrations.exists() and not e.sessions.exists()
    # Figures only where they are published.
    assert {y for y, e in past.items() if e.participants_count or e.figures} == {2022, 2024}
    assert past[2022].participants_count == 300 and "65 villes" in past[2022].figures
    assert "70 exposants" in past[2022].figures
    assert past[2024].participants_count == 600 and "Plus de 600" in past[2024].figures
    assert "plus de 100 exposants" in past[2024].figures
    assert "hybride" in past[2020].description


def test_demo_edition_programme_and_meeting_grid(edition):
    assert edition.is_demo and edition.status == "published"
    assert edition.registration_open and edition.meetings_open and edition.approval_required
    assert edition.starts_on > timezone.localdate(), "move the demo edition's fixed dates"
    assert edition.organiser.name == "Ville de Castelnau-le-Lez"
    assert edition.country == "FR" and edition.time_zone == "Europe/Paris"
    assert edition.venue_name and edition.theme and edition.description

    rooms = list(edition.rooms.all())
    assert 3 <= len(rooms) <= 4
    tables = list(edition.tables.select_related("room"))
    assert len(tables) == 30 and {t.room.name for t in tables} == {summit_data.MEETING_ROOM}

    zone = zoneinfo.ZoneInfo(edition.time_zone)
    slots = list(edition.slots.order_by("number"))
    assert len(slots) == 2 * 2 * 9  # two days, two half-days of nine 20-minute slots
    assert [s.number for s in slots] == list(range(1, len(slots) + 1))
    for slot in slots:
        start, end = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
        assert end - start == timedelta(minutes=20)
        assert time(9) <= start.time() and end.time() <= time(17)
        assert end.time() <= time(12) or start.time() >= time(14)  # lunch break
        assert slot.half_day == ("am" if start.time() < time(12) else "pm")
    assert {s.starts_at.astimezone(zone).date() for s in slots} == {
        edition.starts_on,
        edition.ends_on,
    }

    sessions = list(edition.sessions.prefetch_related("speakers__organisation"))
    assert len(sessions) >= 12
    assert {"plenary", "panel", "duo", "demo"} <= {s.kind for s in sessions}
    for session in sessions:
        assert edition.starts_on <= session.starts_at.astimezone(zone).date() <= edition.ends_on
        if session.kind != "social":
            assert session.speakers.exists(), session.title
    for duo in (s for s in sessions if s.kind == "duo"):
        kinds = [sp.organisation.kind for sp in duo.speakers.all()]
        assert len(kinds) == 2 and kinds[0] == "collectivite" and kinds[1] != "collectivite"
    speakers = Speaker.objects.filter(session__edition=edition)
    assert all(sp.name.endswith("(démo)") for sp in speakers)  # speakers are demo people

    exhibitors = list(edition.exhibitors.select_related("organisation"))
    assert 8 <= len(exhibitors) <= 10
    assert all(x.organisation.is_demo and x.stand for x in exhibitors)


def test_about_120_participants_of_every_kind(edition):
    registrations = list(edition.registrations.select_related("user", "organisation"))
    assert 110 <= len(registrations) <= 130
    statuses = Counter(r.status for r in registrations)
    assert statuses["declined"] == 1 and 3 <= statuses["pending"] <= 8
    assert statuses["approved"] == len(registrations) - statuses["pending"] - 1
    declined = next(r for r in registrations if r.status == "declined")
    assert declined.decision_note
    assert set(Counter(r.participant_type for r in registrations)) == {
        "city", "company", "incubator", "expert", "press", "organiser",
    }  # fmt: skip

    by_email = {r.user.email: r for r in registrations}
    assert by_email["secretariat@example.org"].participant_type == "organiser"
    for email in ACCOUNTS:
        assert by_email[email].status == "approved" and by_email[email].wants_meetings
    assert by_email["startup@example.org"].organisation.name == "Pyrène Outdoor Lab"

    for r in registrations:
        if r.user.email.endswith("@example.org"):
            continue  # the documented demo accounts
        assert r.user.email.endswith(f"@{summit_data.EMAIL_DOMAIN}")
        assert r.user.full_name.endswith("(démo)") and not r.user.has_usable_password()
        if r.organisation is not None:
            assert Membership.objects.filter(user=r.user, organisation=r.organisation).exists()
        if r.is_approved and r.wants_meetings:
            assert r.offers and r.seeks and r.job_title
    organisers = [r for r in registrations if r.participant_type == "organiser"]
    assert all(is_organiser(r.user, edition) for r in organisers)

    # Availability: late arrivals, early departures, half-days, busy slots, sessions attended.
    assert sum(r.arrives_at is not None for r in registrations) >= 3
    assert sum(r.departs_at is not None for r in registrations) >= 3
    assert {"am", "pm"} <= {r.half_day for r in registrations}
    through = Registration.unavailable_slots.through.objects.filter(registration__edition=edition)
    assert through.values("registration").distinct().count() >= 3
    for speaker in Speaker.objects.filter(session__edition=edition).select_related("session"):
        r = next(r for r in registrations if r.user.full_name == speaker.name)
        if r.wants_meetings:
            assert r.attended_sessions.filter(pk=speaker.session_id).exists(), speaker.name


def test_requests_in_every_state_and_wishes(edition):
    requests = MeetingRequest.objects.filter(edition=edition)
    assert 55 <= requests.count() <= 65
    states = Counter(requests.values_list("status", flat=True))
    assert states["accepted"] >= 35 and states["declined"] >= 3
    assert states["pending"] >= 3 and 2 <= states["expired"] <= 3
    now = timezone.now()
    assert all(r.expires_at < now for r in requests.filter(status="expired"))
    assert all(r.expires_at > now for r in requests.filter(status="pending"))
    assert all(r.answer_note for r in requests.filter(status="declined"))
    # The demo accounts have requests to answer.
    for email in ("startup@example.org", "editeur.lourdes@example.org"):
        assert requests.filter(status="pending", recipient__user__email=email).exists()
    wishes = Counter(MeetingWish.objects.filter(edition=edition).values_list("level", flat=True))
    assert set(wishes) == {"must", "would", "no"} and wishes["no"] < wishes["would"]


def test_published_schedule_is_valid_and_gives_the_accounts_an_agenda(edition):
    from mediane.scheduling import model as sched
    from mediane.scheduling.checker import check

    run = edition.published_run
    assert run is not None and run.status == RunStatus.DONE and run.published_at
    assert run.solver_status in ("optimal", "feasible")
    assert ScheduleRun.objects.filter(edition=edition).count() == 1
    assert run.required_unscheduled == 0
    accepted = MeetingRequest.objects.filter(edition=edition, status="accepted").count()
    assert run.meetings.filter(priority="required", slot__isnull=False).count() == accepted

    # Independent checks: no one twice in a slot, one meeting per table and slot, availability.
    meetings = list(run.meetings.select_related("slot", "table", "first", "second"))
    slots = list(edition.slots.order_by("starts_at"))
    people, tables = Counter(), Counter()
    for m in (m for m in meetings if m.slot_id is not None):
        assert m.table is not None
        tables[(m.slot_id, m.table_id)] += 1
        for side in (m.first, m.second):
            people[(m.slot_id, side.pk)] += 1
            assert m.slot.number in services.available_slot_numbers(side, slots)
    assert max(people.values()) == 1 and max(tables.values()) == 1

    # The scheduling module's own checker, on the instance the run was built from.
    built = scheduling.build(edition)
    index = {(w.first, w.second): n for n, w in enumerate(built.wanted)}
    slot_index = {s.pk: i for i, s in enumerate(built.slots)}
    table_index = {t.pk: i for i, t in enumerate(built.tables)}
    placements = [
        sched.Placement(
            meeting=index[(min(m.first_id, m.second_id), max(m.first_id, m.second_id))],
            slot=slot_index[m.slot_id],
            table=table_index[m.table_id],
        )
        for m in meetings
        if m.slot_id is not None
    ]
    placed = {p.meeting for p in placements}
    solution = sched.Solution(
        status=run.solver_status,
        placements=placements,
        breaks=run.breaks,
        unscheduled=[n for n in range(len(built.wanted)) if n not in placed],
    )
    assert check(built.instance, solution, fairness=run.fairness) == []

    # A newcomer logging in with a demo account finds meetings in their agenda.
    for email in ACCOUNTS:
        registration = Registration.objects.get(edition=edition, user__email=email)
        agenda = selectors.agenda_for(registration)
        assert len(agenda) >= 2, email
        assert any(m.priority == "required" for m in agenda)


def counts(edition: Edition) -> dict[str, int]:
    return {
        "editions": Edition.objects.count(),
        "sessions": ProgrammeSession.objects.count(),
        "registrations": Registration.objects.count(),
        "requests": MeetingRequest.objects.count(),
        "wishes": MeetingWish.objects.count(),
        "runs": ScheduleRun.objects.count(),
        "meetings": Meeting.objects.count(),
        "slots": edition.slots.count(),
        "tables": edition.tables.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "notifications": Notification.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def test_second_load_changes_nothing(edition):
    before = counts(edition)
    states = dict(MeetingRequest.objects.values_list("pk", "status"))
    published = edition.published_run_id
    output = run_demo(schedule=True)
    assert counts(edition) == before
    assert dict(MeetingRequest.objects.values_list("pk", "status")) == states
    edition.refresh_from_db()
    assert edition.published_run_id == published
    assert "sommet : inscriptions : 0 créé(s)" in output
