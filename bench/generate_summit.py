"""A large summit for the B2B scheduler: generate it, and optionally solve it.

    .venv/bin/python bench/generate_summit.py --out /tmp/summit.json
    .venv/bin/python bench/generate_summit.py --solve 300 --json /tmp/summit-result.json

600 participants (150 exhibitors — cities, companies — that many visitors want to meet, 450
visitors), 3,000 requested meetings (10 % required, 40 % "must meet", 50 % "would like to
meet"), two days of 16 slots (8 in the morning, 8 in the afternoon), 80 tables. Availability as
seen at real events: most attend both days, some arrive late on day 1 or leave early on day 2,
some come for one day only, and some attend one or two programme sessions (two slots each) in
which they cannot meet. Requests follow popularity (a few exhibitors are asked by many). With
`--solve SECONDS` it runs `mediane.scheduling.solver.solve`, checks the schedule with the
independent checker and prints: requested vs scheduled per kind, breaks and bound, table
changes, time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

from mediane.scheduling.checker import check  # noqa: E402
from mediane.scheduling.jsonio import dump_instance, load_json  # noqa: E402
from mediane.scheduling.model import Instance  # noqa: E402
from mediane.scheduling.solver import solve  # noqa: E402

DAYS = 2
SLOTS_PER_HALF_DAY = 8


def generate(
    participants: int = 600,
    meetings: int = 3000,
    tables: int = 80,
    seed: int = 2027,
) -> dict:
    rng = random.Random(seed)
    slots = []
    for day in range(1, DAYS + 1):
        for session, hour in (("morning", 9), ("afternoon", 14)):
            for i in range(SLOTS_PER_HALF_DAY):
                minutes = hour * 60 + i * 25
                slots.append(
                    {
                        "id": f"j{day}-{minutes // 60:02d}{minutes % 60:02d}",
                        "day": f"2027-03-{9 + day}",
                        "session": session,
                        "start": f"{minutes // 60:02d}:{minutes % 60:02d}",
                        "end": f"{(minutes + 20) // 60:02d}:{(minutes + 20) % 60:02d}",
                    }
                )
    per_day = 2 * SLOTS_PER_HALF_DAY
    exhibitors = participants // 4
    people = []
    for p in range(participants):
        away: set[int] = set()
        kind = rng.random()
        if kind < 0.10:  # arrives late on day 1
            away.update(range(0, rng.randint(2, 8)))
        elif kind < 0.20:  # leaves early on day 2
            away.update(range(2 * per_day - rng.randint(2, 8), 2 * per_day))
        elif kind < 0.30:  # one day only
            day = rng.randrange(DAYS)
            away.update(s for s in range(2 * per_day) if s // per_day != day)
        if rng.random() < 0.3:  # programme sessions: two slots each
            for _ in range(rng.randint(1, 2)):
                start = rng.randrange(0, 2 * per_day - 1)
                away.update((start, start + 1))
        name = f"exposant-{p + 1}" if p < exhibitors else f"visiteur-{p + 1 - exhibitors}"
        people.append(
            {
                "id": name,
                "name": name.replace("-", " ").title(),
                "unavailable": [slots[s]["id"] for s in sorted(away)],
                "_away": away,
            }
        )
    popularity = [
        rng.paretovariate(1.5) if p < exhibitors else rng.random() * 0.5
        for p in range(participants)
    ]
    load = [0] * participants
    required_count = [0] * participants
    cap = [18 if p < exhibitors else 10 for p in range(participants)]
    pairs: set[tuple[int, int]] = set()
    wanted = []
    while len(wanted) < meetings:
        visitor = rng.randrange(participants)
        host = rng.choices(range(participants), weights=popularity)[0]
        a, b = sorted((visitor, host))
        if a == b or (a, b) in pairs or load[a] >= cap[a] or load[b] >= cap[b]:
            continue
        common = 2 * per_day - len(people[a]["_away"] | people[b]["_away"])
        if common < 2:
            continue
        draw = rng.random()
        if draw < 0.10 and common >= 8 and required_count[a] < 3 and required_count[b] < 3:
            priority, required = "must", True
            required_count[a] += 1
            required_count[b] += 1
        elif draw < 0.50:
            priority, required = "must", False
        else:
            priority, required = "would", False
        session = rng.choices(["any", "morning", "afternoon"], weights=[90, 5, 5])[0]
        pairs.add((a, b))
        load[a] += 1
        load[b] += 1
        wanted.append(
            {
                "id": f"r{len(wanted) + 1}",
                "participants": [people[a]["id"], people[b]["id"]],
                "session": session,
                "priority": priority,
                "required": required,
            }
        )
    for person in people:
        del person["_away"]
    return {
        "name": f"sommet-{participants}-{meetings}",
        "breaks_within": "day",
        "slots": slots,
        "tables": [f"T{t + 1}" for t in range(tables)],
        "participants": people,
        "meetings": wanted,
    }


def report(instance: Instance, solution, fairness: int) -> dict:
    kinds = {"required": [0, 0], "must": [0, 0], "would": [0, 0]}
    placed = {p.meeting for p in solution.placements}
    for m, meeting in enumerate(instance.meetings):
        kind = "required" if meeting.required else meeting.priority
        kinds[kind][0] += 1
        kinds[kind][1] += m in placed
    violations = check(instance, solution, fairness) if solution.placements else []
    return {
        "status": solution.status,
        "requested": len(instance.meetings),
        "scheduled": len(placed),
        "by_kind": {k: {"requested": v[0], "scheduled": v[1]} for k, v in kinds.items()},
        "optional_weight": solution.optional_weight,
        "optional_weight_bound": solution.optional_weight_bound,
        "breaks": solution.breaks,
        "bound": solution.bound,
        "max_breaks_per_participant": max(solution.breaks_per_participant, default=0),
        "table_changes": solution.table_changes,
        "time_s": round(solution.solve_time_s, 1),
        "phases": solution.phases,
        "violations": violations[:10],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=600)
    parser.add_argument("--meetings", type=int, default=3000)
    parser.add_argument("--tables", type=int, default=80)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--out", type=Path, help="write the instance (JSON) here")
    parser.add_argument("--solve", type=float, metavar="SECONDS", help="solve with this limit")
    parser.add_argument("--fairness", type=int, default=2)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--json", type=Path, help="write the result summary here")
    args = parser.parse_args(argv)
    data = generate(args.participants, args.meetings, args.tables, args.seed)
    if args.out:
        args.out.write_text(json.dumps(data, ensure_ascii=False))
        print(f"instance written to {args.out}")
    instance = load_json(data)
    assert dump_instance(instance)["meetings"][0]["id"] == "r1"
    print(
        f"{len(instance.participants)} participants, {len(instance.meetings)} meetings "
        f"({sum(m.required for m in instance.meetings)} required), {len(instance.slots)} "
        f"slots, {len(instance.tables)} tables; load average {os.getloadavg()}"
    )
    if args.solve:
        started = time.monotonic()
        solution = solve(
            instance, fairness=args.fairness, time_limit=args.solve, workers=args.workers
        )
        summary = report(instance, solution, args.fairness)
        summary["wall_s"] = round(time.monotonic() - started, 1)
        summary["load_average_after"] = os.getloadavg()
        print(json.dumps(summary, indent=1, ensure_ascii=False))
        if args.json:
            args.json.write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
