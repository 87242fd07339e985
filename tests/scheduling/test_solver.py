"""The solver on small hand-made instances whose optimum is known; every schedule checked."""

from __future__ import annotations

import threading

import pytest

from mediane.scheduling.checker import check
from mediane.scheduling.solver import Progress, TooLargeError, solve

from .helpers import instance, slots

REQ = {"required": True}


def solved(inst, fairness=2, **kwargs):
    solution = solve(inst, fairness=fairness, time_limit=10, workers=2, **kwargs)
    if solution.placements:
        assert check(inst, solution, fairness) == []
    return solution


def slot_of(solution, meeting):
    return {p.meeting: p.slot for p in solution.placements}[meeting]


def test_consecutive_meetings_without_break():
    inst = instance(slots(4), 1, "abcd", [("ab", REQ), ("ac", REQ), ("ad", REQ)])
    solution = solved(inst)
    assert solution.status == "optimal"
    assert solution.breaks == 0 and solution.bound == 0
    assert sorted(slot_of(solution, m) for m in range(3)) in ([0, 1, 2], [1, 2, 3])


def test_unavailable_slot_forces_one_break():
    # c is away at slot 2 (index 1) and slot 4; a meets b fixed at slot 1: a idles at slot 2.
    inst = instance(
        slots(4),
        2,
        "abc",
        [("ab", {**REQ, "fixed_slot": 0}), ("ac", REQ)],
        unavailable={"c": {1, 3}},
    )
    solution = solved(inst)
    assert solution.status == "optimal"
    assert solution.breaks == 1
    assert solution.breaks_per_participant == [1, 0, 0]
    assert slot_of(solution, 1) == 2


def test_fairness_zero_makes_it_infeasible_and_says_why():
    inst = instance(
        slots(4),
        2,
        "abc",
        [("ab", {**REQ, "fixed_slot": 0}), ("ac", REQ)],
        unavailable={"c": {1, 3}},
    )
    solution = solved(inst, fairness=0)
    assert solution.status == "infeasible"
    assert any("Équité" in line for line in solution.explanation)
    assert solved(inst, fairness=1).status == "optimal"


def test_lunch_gap_counts_within_a_day_but_not_between_sessions_when_asked():
    # Morning m1 m2, afternoon a1 a2. a meets b (morning only) and c (afternoon only); b is
    # away at m2 and c at a1: the idle run m2-a1 is a break within the day, not across sessions.
    meetings = [("ab", {**REQ, "session": "morning"}), ("ac", {**REQ, "session": "afternoon"})]
    away = {"b": {1}, "c": {2}}
    by_day = solved(instance(slots(2, 2), 1, "abc", meetings, unavailable=away))
    assert by_day.breaks == 1 and by_day.status == "optimal"
    by_session = solved(
        instance(slots(2, 2), 1, "abc", meetings, unavailable=away, breaks_within="session")
    )
    assert by_session.breaks == 0 and by_session.status == "optimal"


def test_no_break_between_days():
    inst = instance(
        slots(2, days=2),
        1,
        "abc",
        [("ab", {**REQ, "fixed_slot": 0}), ("ac", {**REQ, "fixed_slot": 3})],
    )
    assert solved(inst).breaks == 0


def test_precedence_is_respected():
    # m1 (a,b) must come after m2 (a,c) and m3 (a,d) after m1.
    inst = instance(
        slots(3),
        2,
        "abcd",
        [("ab", {**REQ, "after": (1,)}), ("ac", REQ), ("ad", {**REQ, "after": (0,)})],
    )
    solution = solved(inst)
    assert slot_of(solution, 1) < slot_of(solution, 0) < slot_of(solution, 2)


def test_session_restriction():
    inst = instance(
        slots(2, 2),
        2,
        "abc",
        [("ab", {**REQ, "session": "afternoon"}), ("ac", {**REQ, "session": "morning"})],
    )
    solution = solved(inst)
    assert inst.slots[slot_of(solution, 0)].session == "afternoon"
    assert inst.slots[slot_of(solution, 1)].session == "morning"
    assert solution.breaks == 0  # a: last morning slot then first afternoon slot


def test_optional_meetings_by_priority():
    # One slot, one table: of two optional meetings the "must" one wins over the "would" one.
    inst = instance(
        slots(1), 1, "abcd", [("ab", {"priority": "would"}), ("cd", {"priority": "must"})]
    )
    solution = solved(inst)
    assert solution.status == "optimal"
    assert [p.meeting for p in solution.placements] == [1]
    assert solution.unscheduled == [0]
    assert solution.optional_weight == 3


def test_optional_then_breaks():
    # Required a-b; optional a-c and a-d; three slots: all fit without break.
    inst = instance(slots(3), 1, "abcd", [("ab", REQ), ("ac", {}), ("ad", {"priority": "would"})])
    solution = solved(inst)
    assert solution.scheduled == 3 and solution.breaks == 0 and solution.status == "optimal"


def test_tables_keep_a_busy_participant_at_one_table():
    # a meets b, c, d, e in four slots with three tables; others meet among themselves.
    inst = instance(
        slots(4),
        3,
        "abcdefgh",
        [("ab", REQ), ("ac", REQ), ("ad", REQ), ("ae", REQ), ("fg", REQ), ("fh", REQ), ("gh", REQ)],
    )
    solution = solved(inst)
    tables_of_a = {
        p.table for p in solution.placements if 0 in inst.meetings[p.meeting].participants
    }
    assert len(tables_of_a) == 1
    assert all(p.table is not None for p in solution.placements)


@pytest.mark.parametrize(
    ("meetings", "away", "expected"),
    [
        ([("ab", REQ), ("ac", REQ), ("ad", REQ)], {}, "Participant a : 3 rencontres obligatoires"),
        ([("ab", REQ), ("cd", REQ), ("ef", REQ)], {}, "Tables : 3 rencontres obligatoires"),
        ([("ab", REQ)], {"a": {0}, "b": {1}}, "Rencontre m1 : aucun créneau possible"),
        (
            [("ab", {**REQ, "fixed_slot": 0}), ("cd", {**REQ, "fixed_slot": 0})],
            {},
            "Créneau d1m1 : 2 rencontres obligatoires y sont fixées",
        ),
    ],
)
def test_infeasible_with_plain_explanation(meetings, away, expected):
    inst = instance(slots(2), 1, "abcdef", meetings, unavailable=away)
    solution = solved(inst)
    assert solution.status == "infeasible"
    assert solution.placements == []
    assert any(line.startswith(expected) for line in solution.explanation), solution.explanation


def test_infeasible_with_unsat_core():
    # m2 must follow m1, but m1 is fixed at the last slot: the core names both constraints.
    inst = instance(
        slots(3), 2, "abc", [("ab", {**REQ, "fixed_slot": 2}), ("ac", {**REQ, "after": (0,)})]
    )
    solution = solved(inst)
    assert solution.status == "infeasible"
    text = "\n".join(solution.explanation)
    assert "Rencontre m1 : fixée au créneau d1m3." in text
    assert "Rencontre m2 : après la rencontre m1." in text
    assert "Tables" not in text  # the core was shrunk to what matters


def test_progress_and_stop():
    inst = instance(slots(4), 1, "abcd", [("ab", REQ), ("ac", REQ), ("ad", REQ)])
    events: list[Progress] = []
    solved(inst, progress=events.append)
    assert events and all(0.0 <= e.fraction <= 1.0 for e in events)
    stop = threading.Event()
    stop.set()
    stopped = solve(inst, fairness=2, time_limit=10, workers=2, stop=stop)
    # Stopped before any search: the quick greedy schedule is what was found so far.
    assert stopped.status == "feasible" and stopped.scheduled == 3
    assert check(inst, stopped, 2) == []


def test_size_guard(monkeypatch):
    from mediane.scheduling import solver

    monkeypatch.setattr(solver, "MAX_MEETINGS", 2)
    inst = instance(slots(4), 1, "abcd", [("ab", REQ), ("ac", REQ), ("ad", REQ)])
    with pytest.raises(TooLargeError, match="Instance trop grande"):
        solve(inst, time_limit=1)
