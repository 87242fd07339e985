"""The summit's use of the scheduler: which meetings are asked for, the instance built from the
database, a run end to end (checked by the independent checker), infeasible accepted requests
explained, manual moves refused when they break a constraint, publication and its
notifications, republication keeping published slots, a failing run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mediane.core.errors import Conflict, ValidationFailed
from mediane.notifications.models import Notification
from mediane.summit import scheduling, services
from mediane.summit.models import Meeting, MeetingPriority, RunStatus, ScheduleRun
from tests.summit.factories import session

pytestmark = pytest.mark.django_db


def accepted(summit, a, b):
    request = services.request_send(actor=a.user, sender=a, recipient=b)
    services.request_answer(actor=b.user, request=request, accept=True)
    return request


def run(summit, time_limit=10, fairness=2):
    started = scheduling.schedule_run_start(
        actor=summit.secretariat, edition=summit.edition, time_limit=time_limit, fairness=fairness
    )
    return scheduling.run_execute(started.pk)


def assert_consistent(result: ScheduleRun, *, required_missing: int = 0) -> list[Meeting]:
    """No one twice in a slot, one meeting per table and slot, within availability; and the
    independent checker of the scheduling module agrees."""
    from mediane.scheduling import model as sched
    from mediane.scheduling.checker import check

    meetings = list(result.meetings.select_related("slot", "table", "first", "second"))
    seen_people, seen_tables = set(), set()
    slots = list(result.edition.slots.order_by("starts_at"))
    for m in meetings:
        if m.slot is None:
            continue
        assert m.table is not None
        for side in (m.first, m.second):
            assert (side.pk, m.slot_id) not in seen_people, f"{side} twice in {m.slot}"
            seen_people.add((side.pk, m.slot_id))
            assert m.slot.number in services.available_slot_numbers(side, slots)
        assert (m.table_id, m.slot_id) not in seen_tables
        seen_tables.add((m.table_id, m.slot_id))
    built = scheduling.build(result.edition)
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
        status=result.solver_status,
        placements=placements,
        unscheduled=[n for n in range(len(built.wanted)) if n not in placed],
    )
    problems = check(built.instance, solution, fairness=None)
    missing = [p for p in problems if "obligatoire mais non planifiée" in p]
    assert len(missing) == required_missing, problems
    assert not [p for p in problems if p not in missing], problems
    return meetings


def test_wanted_meetings_from_requests_and_wishes(summit):
    a, b, c, d = summit.people[:4]
    accepted(summit, a, b)
    services.wish_set(actor=a.user, author=a, target=c, level="would")
    services.wish_set(actor=c.user, author=c, target=a, level="must")  # either side's "must"
    services.wish_set(actor=a.user, author=a, target=d, level="must")
    services.wish_set(actor=d.user, author=d, target=a, level="no")  # a "no" removes it
    declined = services.request_send(actor=b.user, sender=b, recipient=c)
    services.request_answer(actor=c.user, request=declined, accept=False)
    services.wish_set(actor=b.user, author=b, target=c, level="must")  # declined: not scheduled
    ids = {r.pk for r in summit.people}
    wanted = {
        (w.first, w.second): w.priority for w in scheduling.wanted_meetings(summit.edition, ids)
    }
    key = lambda x, y: (min(x.pk, y.pk), max(x.pk, y.pk))  # noqa: E731
    assert wanted == {key(a, b): MeetingPriority.REQUIRED, key(a, c): MeetingPriority.MUST}


def test_instance_carries_availability(summit):
    a, b = summit.people[:2]
    accepted(summit, a, b)
    services.availability_update(
        actor=a.user, registration=a, arrives_at=None, departs_at=None, half_day="pm"
    )
    session(summit, dt.time(14, 0), dt.time(14, 20), "Plénière d'ouverture")
    b.attended_sessions.set(summit.edition.sessions.all())
    built = scheduling.build(summit.edition)
    by_id = {p.id: p for p in built.instance.participants}
    assert by_id[a.pk].unavailable == frozenset({0, 1, 2})  # the morning
    assert by_id[b.pk].unavailable == frozenset({3})  # the 14:00 slot, during the plenary
    assert [m.required for m in built.instance.meetings] == [True]
    assert len(built.instance.tables) == 2


def test_run_places_everything_that_fits(summit):
    p = summit.people
    accepted(summit, p[0], p[1])
    accepted(summit, p[0], p[2])
    accepted(summit, p[3], p[4])
    for other in p[1:5]:
        services.wish_set(actor=p[5].user, author=p[5], target=other, level="would")
    services.wish_set(actor=p[1].user, author=p[1], target=p[2], level="must")
    result = run(summit)
    assert result.status == RunStatus.DONE, result.error
    assert result.requested == 8
    assert result.scheduled == 8 and result.required_unscheduled == 0
    assert result.solver_status in ("optimal", "feasible")
    meetings = assert_consistent(result)
    assert all(m.slot_id for m in meetings)


def test_accepted_requests_that_cannot_all_fit_are_explained(summit):
    a, b, c = summit.people[:3]
    accepted(summit, a, b)
    accepted(summit, a, c)
    only = summit.slot(1)
    services.availability_update(
        actor=a.user,
        registration=a,
        arrives_at=None,
        departs_at=only.ends_at,  # a can meet in slot 1 only
        half_day="",
    )
    result = run(summit)
    assert result.status == RunStatus.DONE, result.error
    assert "ne peuvent pas toutes être placées" in result.explanation
    assert result.required_unscheduled == 1 and result.scheduled == 1
    assert_consistent(result, required_missing=1)


def test_one_run_at_a_time_and_limits(summit):
    scheduling.schedule_run_start(actor=summit.secretariat, edition=summit.edition, time_limit=10)
    with pytest.raises(Conflict):
        scheduling.schedule_run_start(actor=summit.secretariat, edition=summit.edition)
    ScheduleRun.objects.update(status=RunStatus.DONE)
    with pytest.raises(ValidationFailed):
        scheduling.schedule_run_start(
            actor=summit.secretariat, edition=summit.edition, time_limit=100000
        )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        scheduling.schedule_run_start(actor=summit.people[0].user, edition=summit.edition)


def test_a_failing_run_is_marked_failed_with_its_reason(summit, monkeypatch):
    import mediane.scheduling.solver as solver

    def broken(*args, **kwargs):
        raise RuntimeError("plus de mémoire")

    monkeypatch.setattr(solver, "solve", broken)
    accepted(summit, *summit.people[:2])
    result = run(summit)
    assert result.status == RunStatus.FAILED
    assert "plus de mémoire" in result.error
    assert not result.meetings.exists()


def test_moves_are_checked_against_every_constraint(summit):
    p = summit.people
    accepted(summit, p[0], p[1])
    accepted(summit, p[0], p[2])
    accepted(summit, p[3], p[4])
    result = run(summit)
    m01 = result.meetings.get(
        first=min(p[0], p[1], key=lambda r: r.pk), second=max(p[0], p[1], key=lambda r: r.pk)
    )
    m02 = (
        result.meetings.exclude(pk=m01.pk)
        .filter(first__in=[p[0], p[2]], second__in=[p[0], p[2]])
        .get()
    )
    m34 = result.meetings.exclude(pk__in=[m01.pk, m02.pk]).get()
    actor = summit.host_editor
    # p0 already meets p2 in m02's slot: moving m01 there double-books p0.
    with pytest.raises(ValidationFailed, match="a déjà un rendez-vous"):
        scheduling.meeting_move(actor=actor, meeting=m01, slot=m02.slot)
    # Outside someone's availability.
    services.availability_update(
        actor=p[1].user, registration=p[1], arrives_at=None, departs_at=None, half_day="am"
    )
    afternoon = summit.slot(5)
    with pytest.raises(ValidationFailed, match="pas disponible"):
        scheduling.meeting_move(actor=actor, meeting=m01, slot=afternoon)
    # A table taken in that slot.
    free_slot = next(
        s
        for s in summit.edition.slots.filter(half_day="am")
        if not result.meetings.filter(slot=s, first__in=[p[0], p[1]]).exists()
        and not result.meetings.filter(slot=s, second__in=[p[0], p[1]]).exists()
    )
    Meeting.objects.filter(pk=m34.pk).update(slot=free_slot)
    m34.refresh_from_db()
    with pytest.raises(ValidationFailed, match="table est déjà occupée"):
        scheduling.meeting_move(actor=actor, meeting=m01, slot=free_slot, table=m34.table)
    # Not an organiser.
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        scheduling.meeting_move(actor=p[0].user, meeting=m01, slot=free_slot)
    # The check reads the same few tables whatever the edition's size.
    loaded = Meeting.objects.select_related("edition", "first", "second").get(pk=m01.pk)
    with CaptureQueriesContext(connection) as queries:
        assert scheduling.move_problems(loaded, free_slot, None) == []
    assert len(queries) <= 5
    # A valid move, with a free table chosen.
    moved = scheduling.meeting_move(actor=actor, meeting=m01, slot=free_slot)
    assert moved.slot == free_slot and moved.table is not None and moved.table != m34.table
    assert moved.fixed
    assert_consistent(result)


def test_publication_notifies_and_later_moves_notify_both_sides(summit):
    p = summit.people
    accepted(summit, p[0], p[1])
    accepted(summit, p[2], p[3])
    result = run(summit)
    Notification.objects.all().delete()
    scheduling.schedule_publish(actor=summit.secretariat, run=result)
    summit.edition.refresh_from_db()
    assert summit.edition.published_run == result
    told = set(
        Notification.objects.filter(verb="agenda.published").values_list("recipient", flat=True)
    )
    assert told == {p[0].user.pk, p[1].user.pk, p[2].user.pk, p[3].user.pk}
    with pytest.raises(Conflict):
        scheduling.schedule_publish(actor=summit.secretariat, run=result)
    meeting = result.meetings.filter(first__in=[p[0], p[1]]).get()
    target = next(
        s for s in summit.edition.slots.all() if not result.meetings.filter(slot=s).exists()
    )
    scheduling.meeting_move(actor=summit.secretariat, meeting=meeting, slot=target)
    changed = set(
        Notification.objects.filter(verb="agenda.changed").values_list("recipient", flat=True)
    )
    assert changed == {p[0].user.pk, p[1].user.pk}


def test_a_new_run_keeps_published_slots_and_only_changed_people_are_told(summit):
    p = summit.people
    accepted(summit, p[0], p[1])
    first = run(summit)
    scheduling.schedule_publish(actor=summit.secretariat, run=first)
    before = first.meetings.get().slot_id
    accepted(summit, p[2], p[3])
    Notification.objects.all().delete()
    second = run(summit)
    kept = second.meetings.get(first__in=[p[0], p[1]])
    assert kept.slot_id == before and kept.fixed
    scheduling.schedule_publish(actor=summit.secretariat, run=second)
    told = set(
        Notification.objects.filter(verb="agenda.published").values_list("recipient", flat=True)
    )
    assert told == {p[2].user.pk, p[3].user.pk}


def test_a_run_that_finds_nothing_is_failed_not_publishable(summit, monkeypatch):
    import mediane.scheduling.solver as solver
    from mediane.scheduling import model as sched

    monkeypatch.setattr(solver, "solve", lambda *a, **k: sched.Solution(status=sched.UNKNOWN))
    accepted(summit, *summit.people[:2])
    result = run(summit)
    assert result.status == RunStatus.FAILED
    assert "Aucun planning trouvé" in result.error
    with pytest.raises(Conflict):
        scheduling.schedule_publish(actor=summit.secretariat, run=result)


def test_progress_writer_records_the_solver_phase(summit):
    started = scheduling.schedule_run_start(
        actor=summit.secretariat, edition=summit.edition, time_limit=10
    )
    write = scheduling._progress_writer(started.pk, 10)
    from mediane.scheduling.solver import Progress

    write(Progress("optional", 0.4, "rendez-vous facultatifs"))
    started.refresh_from_db()
    assert "rendez-vous facultatifs" in started.phase
    assert 0.05 <= started.progress <= 0.95
