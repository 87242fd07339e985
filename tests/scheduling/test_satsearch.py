"""The SAT break search (`satsearch.py`) and its place in `solve`: small instances whose
optimum is known; every schedule goes through the independent checker."""

from __future__ import annotations

import subprocess
import threading

import pytest

from mediane.scheduling import satsearch
from mediane.scheduling import solver as solver_module
from mediane.scheduling.checker import check
from mediane.scheduling.model import Placement
from mediane.scheduling.solver import _solution_from, domains, solve

from .helpers import instance, slots

REQ = {"required": True}


def run(inst, budgets, caps=None, **kwargs):
    placed = [m for m, meeting in enumerate(inst.meetings) if meeting.required]
    caps = caps if caps is not None else [None] * len(inst.participants)
    return satsearch.search(inst, domains(inst), placed, caps, budgets, 20, **kwargs)


def checked(inst, slots_of, fairness=None):
    placements = [Placement(meeting=m, slot=t) for m, t in enumerate(slots_of) if t >= 0]
    solution = _solution_from(inst, placements, fairness, [], 0)
    assert check(inst, solution, fairness) == []
    return solution


def triangle():
    # One table, three slots, a–b, a–c, b–c: whoever has the first and the last meeting idles
    # in between, so the optimum is one break although nobody needs one on their own.
    return instance(slots(3), 1, "abc", [("ab", REQ), ("ac", REQ), ("bc", REQ)])


@pytest.mark.parametrize("member", satsearch.PORTFOLIO)
def test_each_member_finds_a_schedule_without_break(member):
    inst = instance(slots(5), 1, "abcd", [("ab", REQ), ("ac", REQ), ("ad", REQ)])
    placed = [0, 1, 2]
    answers = []
    satsearch._member(answers.append, inst, domains(inst), placed, [None] * 4, [0, 1], member, 10)
    # a member with `first_high` answers the largest budget first, then from the smallest
    expected = [("sat", 1), ("sat", 0)] if member.first_high else [("sat", 0)]
    assert [(kind, budget) for kind, budget, _ in answers] == expected
    for _, budget, found in answers:
        assert checked(inst, found).breaks <= budget
    assert checked(inst, answers[-1][2]).breaks == 0


def test_refutes_the_budget_below_the_optimum():
    outcome = run(triangle(), [0, 1, 2])
    assert outcome.refuted == 0
    assert outcome.budget == 1
    assert checked(triangle(), outcome.slots).breaks == 1


def test_a_cap_per_participant_is_kept():
    # a meets b, c, d and e, who are all away at the first slot: a's four meetings take
    # slots 2–5 in a row, no break even with a cap of 0 for everybody.
    inst = instance(
        slots(5),
        1,
        "abcde",
        [("ab", REQ), ("ac", REQ), ("ad", REQ), ("ae", REQ)],
        unavailable={"b": {0}, "c": {0}, "d": {0}, "e": {0}},
    )
    outcome = run(inst, [0], caps=[0, 0, 0, 0, 0])
    assert outcome.budget == 0
    assert checked(inst, outcome.slots).breaks == 0
    blocked = instance(
        slots(5),
        1,
        "abcde",
        [("ab", REQ), ("ac", REQ), ("ad", REQ), ("ae", REQ)],
        unavailable={"b": {0, 2}, "c": {0, 2}, "d": {0, 2}, "e": {0, 2}},
    )
    # Slot 3 is nobody's: a cannot meet four people in slots 2, 4, 5 — no schedule at all.
    assert run(blocked, [0, 1, 2]).slots is None
    gap = instance(
        slots(6),
        1,
        "abcde",
        [("ab", REQ), ("ac", REQ), ("ad", REQ), ("ae", REQ)],
        unavailable={p: {0, 2} for p in "bcde"},
    )
    # Slots 2, 4, 5, 6 remain: a idles at slot 3 once; a cap of 0 for a refutes every budget.
    assert run(gap, [0, 1, 2], caps=[0, 0, 0, 0, 0]).slots is None
    outcome = run(gap, [0, 1, 2], caps=[1, 0, 0, 0, 0])
    assert outcome.budget == 1
    assert checked(gap, outcome.slots).breaks_per_participant == [1, 0, 0, 0, 0]


def test_tables_and_precedences_are_respected():
    inst = instance(
        slots(3),
        1,
        "abcdef",
        [("ab", REQ), ("cd", {**REQ, "after": (0,)}), ("ef", {**REQ, "after": (1,)})],
    )
    outcome = run(inst, [0])
    assert outcome.slots == [0, 1, 2]
    checked(inst, outcome.slots)


def test_stop_ends_the_members(monkeypatch):
    started: list[subprocess.Popen] = []
    real = subprocess.Popen

    def recording(*args, **kwargs):
        process = real(*args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(satsearch.subprocess, "Popen", recording)
    stop = threading.Event()
    stop.set()
    outcome = run(triangle(), [0, 1, 2], stop=stop)
    assert outcome.slots is None
    assert len(started) == len(satsearch.PORTFOLIO)
    assert all(process.poll() is not None for process in started)


def test_too_large_instances_are_left_to_cp_sat(monkeypatch):
    inst = triangle()
    assert satsearch.available(inst, domains(inst), [0, 1, 2])
    monkeypatch.setattr(satsearch, "MAX_PAIRS", 8)
    assert not satsearch.available(inst, domains(inst), [0, 1, 2])


def test_solve_goes_through_the_sat_search_when_the_probe_fails(monkeypatch):
    # without the first short minimisation, which settles so small an instance by itself
    monkeypatch.setattr(solver_module, "SAT_FIRST_MINIMISATION", 0)
    inst = triangle()
    solution = solve(inst, fairness=2, time_limit=20, workers=2)
    assert check(inst, solution, 2) == []
    assert solution.status == "optimal"
    assert solution.breaks == 1 and solution.bound == 1
    phases = [phase["phase"] for phase in solution.phases]
    assert phases[:2] == ["probe", "sat"]
    assert solution.phases[1]["budget"] == 1
    # every placement has a table once the schedule comes from the SAT search
    assert all(p.table is not None for p in solution.placements)


def test_solve_with_optional_meetings_leaves_the_sat_search_out(monkeypatch):
    monkeypatch.setattr(solver_module, "SAT_FIRST_MINIMISATION", 0)
    inst = instance(
        slots(3),
        1,
        "abcd",
        [("ab", REQ), ("ac", REQ), ("bc", REQ), ("ad", {"priority": "must"})],
    )
    solution = solve(inst, fairness=2, time_limit=20, workers=2)
    assert check(inst, solution, 2) == []
    # one table and three slots: the optional meeting cannot fit; the breaks stay optimal
    assert solution.breaks == 1
    assert solution.unscheduled == [3]
    # with optional meetings the SAT search would prove nothing: CP-SAT alone
    assert "sat" not in [phase["phase"] for phase in solution.phases]


def test_a_short_minimisation_comes_first():
    solution = solve(triangle(), fairness=2, time_limit=20, workers=2)
    assert solution.status == "optimal" and solution.breaks == 1
    assert [phase["phase"] for phase in solution.phases][:2] == ["probe", "breaks"]
