"""The independent checker finds each kind of violation (so it can fail)."""

from __future__ import annotations

import dataclasses

import pytest

from mediane.scheduling.checker import check, count_breaks
from mediane.scheduling.model import Placement, Solution

from .helpers import instance, slots

REQ = {"required": True}


@pytest.fixture
def inst():
    # Slots d1m1 d1m2 d1a1 d1a2 (indices 0-3); tables T1 T2.
    return instance(
        slots(2, 2),
        2,
        "abcd",
        [
            ("ab", REQ),
            ("ac", {**REQ, "session": "afternoon"}),
            ("cd", {"fixed_slot": 1}),
            ("bd", {"after": (0,)}),
        ],
        unavailable={"d": {3}},
    )


def good():
    return Solution(
        status="feasible",
        placements=[Placement(0, 1, 0), Placement(1, 2, 0), Placement(2, 1, 1), Placement(3, 2, 1)],
        breaks=0,
        breaks_per_participant=[0, 0, 0, 0],
        unscheduled=[],
    )


def test_valid_schedule(inst):
    assert check(inst, good(), 0) == []


def broken(**changes):
    return dataclasses.replace(good(), **changes)


@pytest.mark.parametrize(
    ("placements", "expected"),
    [
        # m2 (a,c, afternoon only) in the morning
        (
            [Placement(0, 1, 0), Placement(1, 0, 0), Placement(2, 1, 1), Placement(3, 2, 1)],
            "au créneau d1m1 (morning) au lieu de la session afternoon",
        ),
        # m4 (b,d) with m1 (a,b) at d1m2
        (
            [Placement(0, 1, 0), Placement(1, 2, 0), Placement(2, 2, 1), Placement(3, 1, 1)],
            "Participant b : deux rencontres au créneau d1m2",
        ),
        # d is away at d1a2
        (
            [Placement(0, 1, 0), Placement(1, 2, 0), Placement(2, 1, 1), Placement(3, 3, 1)],
            "le participant d est indisponible au créneau d1a2",
        ),
        # m4 must follow m1, placed before it
        (
            [Placement(0, 2, 0), Placement(1, 3, 0), Placement(2, 1, 1), Placement(3, 0, 1)],
            "Rencontre m4 : doit suivre la rencontre m1",
        ),
        # two meetings at table T1 in d1a1
        (
            [Placement(0, 1, 0), Placement(1, 2, 0), Placement(2, 1, 1), Placement(3, 2, 0)],
            "Table T1 : deux rencontres au créneau d1a1",
        ),
    ],
)
def test_violations(inst, placements, expected):
    problems = check(inst, broken(placements=placements), None)
    assert any(expected in p for p in problems), problems


def test_fixed_slot_and_required(inst):
    problems = check(inst, broken(placements=[Placement(2, 2, 1)], unscheduled=[0, 1, 3]), None)
    assert "Rencontre m3 : fixée au créneau d1m2, placée au créneau d1a1." in problems
    assert "Rencontre m1 : obligatoire mais non planifiée." in problems


def test_capacity():
    inst = instance(slots(1), 1, "abcd", [("ab", {}), ("cd", {})])
    solution = Solution(
        status="feasible",
        placements=[Placement(0, 0), Placement(1, 0)],
        breaks=0,
        breaks_per_participant=[0, 0, 0, 0],
    )
    assert "Créneau d1m1 : 2 rencontres pour 1 tables." in check(inst, solution)


def test_breaks_recounted_and_fairness(inst):
    # a at d1m1 and d1a2 (idle d1m2, d1a1), b at d1m1 and d1a1, c at d1m2 and d1a2.
    placements = [Placement(0, 0, 0), Placement(1, 3, 0), Placement(2, 1, 1), Placement(3, 2, 1)]
    lying = broken(placements=placements)
    problems = check(inst, lying, 0)
    assert "Participant a : 0 pauses annoncées, 1 comptées." in problems
    assert "0 pauses annoncées, 3 comptées." in problems
    assert any(p.startswith("Équité") for p in problems)
    honest = broken(placements=placements, breaks=3, breaks_per_participant=[1, 1, 1, 0])
    assert check(inst, honest, 1) == []


def test_unscheduled_list_must_match(inst):
    assert "La liste des rencontres non planifiées ne correspond pas au planning." in check(
        inst, broken(unscheduled=[3])
    )


def test_count_breaks_by_scope():
    by_day = instance(slots(2, 2), 1, "ab", [("ab", {})])
    by_session = dataclasses.replace(by_day, breaks_within="session")
    assert count_breaks(by_day, [0, 3]) == 1
    assert count_breaks(by_session, [0, 3]) == 0
    assert count_breaks(by_session, [0, 2, 3]) == 0
    assert count_breaks(by_day, [0, 2, 3]) == 1
    two_days = instance(slots(2, days=2), 1, "ab", [("ab", {})])
    assert count_breaks(two_days, [0, 3]) == 0
    assert count_breaks(two_days, [0, 1, 2]) == 0
