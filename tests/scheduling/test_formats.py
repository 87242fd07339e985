"""The .dzn reader and the JSON format (round trip, errors)."""

from __future__ import annotations

import json

import pytest

from mediane.scheduling.checker import check
from mediane.scheduling.dzn import load_dzn, looks_like_dzn, parse_dzn
from mediane.scheduling.jsonio import dump_instance, dump_solution, load_json, load_solution
from mediane.scheduling.model import InstanceError
from mediane.scheduling.solver import solve

from .helpers import instance, slots

DZN = """% a tiny instance
nBusiness = 3;
nMeetings = 3;
nTables = 1;
nTotalSlots = 4;
nMorningSlots = 2;
requested = [|1, 2,3,
|1, 3,1,
|2, 3,2,
|];
meetingsxBusiness = [{1,2,3},{1,2,4},{1,3,4}];
nMeetingsBusiness = [2,2,2];
forbidden = [{0},{3},{1..1}];
fixed = [0,0,4];
precedences = [{},{},{1}];
"""


def test_parse_dzn():
    inst = parse_dzn(DZN, name="tiny.dzn")
    assert [s.id for s in inst.slots] == [1, 2, 3, 4]
    assert [s.session for s in inst.slots] == ["morning", "morning", "afternoon", "afternoon"]
    assert inst.tables == (1,)
    assert [p.unavailable for p in inst.participants] == [frozenset(), {2}, {0}]
    m1, m2, m3 = inst.meetings
    assert (m1.participants, m1.session, m1.required) == ((0, 1), "any", True)
    assert (m2.participants, m2.session) == ((0, 2), "morning")
    assert (m3.participants, m3.session, m3.fixed_slot, m3.after) == ((1, 2), "afternoon", 3, (0,))
    assert inst.breaks_within == "day"
    assert looks_like_dzn(DZN) and not looks_like_dzn('{"slots": []}')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (DZN.replace("nTables = 1;", ""), "« nTables » manque"),
        (DZN.replace("|2, 3,2,", "|2, 9,2,"), "hors de 1..3"),
        (DZN.replace("|2, 3,2,", "|2, 3,7,"), "a la session 7"),
        (DZN.replace("fixed = [0,0,4];", "fixed = [0,0];"), "« fixed » doit avoir 3 éléments"),
        (
            DZN.replace("nMeetingsBusiness = [2,2,2]", "nMeetingsBusiness = [2,2,1]"),
            "nMeetingsBusiness",
        ),
        (DZN.replace("nTables = 1;", "nTables = 1 $;"), "illisible ligne 4"),
        (
            DZN.replace("precedences = [{},{},{1}];", "precedences = [{},{},{1}]"),
            "fin de fichier inattendue",
        ),
    ],
)
def test_dzn_errors(text, message):
    with pytest.raises(InstanceError, match=message):
        parse_dzn(text)


def test_dzn_solved_and_checked(tmp_path):
    path = tmp_path / "tiny.dzn"
    path.write_text(DZN)
    inst = load_dzn(path)
    assert inst.name == "tiny.dzn"
    solution = solve(inst, fairness=2, time_limit=10, workers=2)
    assert check(inst, solution, 2) == []
    out = dump_solution(inst, solution)
    assert out["status"] == "optimal"
    # ids keep the file's numbering from 1
    assert {e["meeting"] for e in out["scheduled"]} == {1, 2, 3}
    assert {e["meeting"]: e["slot"] for e in out["scheduled"]} == {1: 1, 2: 2, 3: 4}
    assert out["breaks"] == 2 and out["breaks_per_participant"] == {"1": 0, "2": 1, "3": 1}


def test_json_round_trip(tmp_path):
    inst = instance(
        slots(2, 2, days=2),
        2,
        "abcd",
        [
            ("ab", {"required": True, "session": "morning"}),
            ("ac", {"priority": "would", "after": (0,)}),
            ("bcd", {"fixed_slot": 5}),
        ],
        unavailable={"d": {0, 7}},
        breaks_within="session",
    )
    data = dump_instance(inst)
    text = json.dumps(data)
    assert load_json(text) == inst
    path = tmp_path / "summit.json"
    path.write_text(text)
    assert load_json(path) == inst
    assert load_json(data) == inst

    solution = solve(inst, fairness=2, time_limit=10, workers=2)
    assert check(inst, solution, 2) == []
    written = json.loads(json.dumps(dump_solution(inst, solution)))
    assert set(written) >= {
        "status",
        "breaks",
        "bound",
        "scheduled",
        "unscheduled",
        "breaks_per_participant",
        "solve_time_s",
    }
    again = load_solution(inst, written)
    assert again.placements and sorted(again.placements, key=lambda p: p.meeting) == sorted(
        solution.placements, key=lambda p: p.meeting
    )
    assert check(inst, again, 2) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"slots": [], "tables": 1}, "aucun créneau"),
        ({"slots": [{"id": "s1"}], "tables": "deux"}, "« tables » doit être"),
        ({"slots": [{"id": "s1", "session": "night"}], "tables": 1}, "session « night »"),
        ({"slots": [{"id": "s1"}, {"id": "s1"}], "tables": 1}, "identifiant en double"),
        (
            {
                "slots": [{"id": "s1"}],
                "tables": 1,
                "participants": [{"id": "a"}],
                "meetings": [{"id": "m", "participants": ["a", "z"]}],
            },
            "participant « z » inconnu",
        ),
        (
            {
                "slots": [{"id": "s1"}],
                "tables": 1,
                "participants": [{"id": "a"}, {"id": "b"}],
                "meetings": [{"id": "m", "participants": ["a", "b"], "priority": "maybe"}],
            },
            "priorité « maybe »",
        ),
        (
            {
                "slots": [{"id": "s1"}],
                "tables": 1,
                "participants": [{"id": "a"}, {"id": "b"}],
                "meetings": [{"id": "m", "participants": ["a", "b"], "fixed_slot": "s9"}],
            },
            "créneau « s9 » inconnu",
        ),
    ],
)
def test_json_errors(data, message):
    with pytest.raises(InstanceError, match=message):
        load_json(data)


def test_json_syntax_error():
    with pytest.raises(InstanceError, match="JSON invalide ligne 1"):
        load_json('{"slots": [}')
