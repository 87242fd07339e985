"""After a load run: look in the database for double bookings and lost updates.

Checks, each a query over the whole bench database:

- tiers-lieux: no two confirmed bookings of one unit of a resource overlap in time; at no
  booking's start are more units of a resource booked than its capacity; every confirmed
  booking holds exactly the slots its duration covers (`BookingSlot` rows, the stored summary
  the database guards), a cancelled one none;
- summit: no participant in two meetings of one slot of a run; no table holding two meetings
  in one slot;
- jury: one score per (juror, answer, criterion); plans: one indicator value per date;
- lost updates: every write the load generator saw acknowledged (a 2xx/3xx answer, listed in
  `--acks` by the locustfile) is in the database, once.

Prints the result of each check; exits 1 when any is violated. `--json FILE` writes them too.

    DATABASE_URL=... .venv/bin/python bench/load/check_integrity.py --acks RUN_DIR/acks.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _setup() -> None:
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediane.settings")
    import django

    django.setup()


def booking_overlaps() -> list[str]:
    from mediane.tierslieux.models import Booking, BookingStatus

    problems = []
    confirmed = list(
        Booking.objects.filter(status=BookingStatus.CONFIRMED)
        .order_by("resource_id", "unit", "starts_at")
        .values("pk", "resource_id", "unit", "starts_at", "ends_at")
    )
    previous: dict[tuple[int, int], dict[str, Any]] = {}
    for booking in confirmed:
        key = (booking["resource_id"], booking["unit"])
        before = previous.get(key)
        if before is not None and booking["starts_at"] < before["ends_at"]:
            problems.append(f"bookings {before['pk']} and {booking['pk']} overlap on unit {key}")
        if before is None or booking["ends_at"] > before["ends_at"]:
            previous[key] = booking
    return problems


def booking_capacity() -> list[str]:
    from mediane.tierslieux.models import Booking, BookingStatus, Resource

    problems = []
    capacity = dict(Resource.objects.values_list("pk", "capacity"))
    confirmed = list(
        Booking.objects.filter(status=BookingStatus.CONFIRMED).values_list(
            "pk", "resource_id", "starts_at", "ends_at"
        )
    )
    by_resource: dict[int, list[tuple[Any, Any]]] = {}
    for _pk, resource, starts, ends in confirmed:
        by_resource.setdefault(resource, []).append((starts, ends))
    for resource, spans in by_resource.items():
        for instant, _end in spans:
            busy = sum(1 for s, e in spans if s <= instant < e)
            if busy > capacity[resource]:
                problems.append(f"resource {resource}: {busy} units booked at {instant}")
    return sorted(set(problems))


def booking_slots() -> list[str]:
    from django.db.models import Count

    from mediane.tierslieux.models import Booking, BookingStatus

    problems = []
    rows = Booking.objects.annotate(held=Count("slots")).values_list(
        "pk", "status", "held", "starts_at", "ends_at", "resource__slot_minutes"
    )
    for pk, status, held, starts, ends, minutes in rows:
        expected = int((ends - starts).total_seconds() // (minutes * 60))
        if status != BookingStatus.CONFIRMED:
            expected = 0
        if held != expected:
            problems.append(f"booking {pk} ({status}) holds {held} slots, expected {expected}")
    return problems


def meeting_participants() -> list[str]:
    from mediane.summit.models import Meeting

    seats: Counter[tuple[int, int, int]] = Counter()
    tables: Counter[tuple[int, int, int]] = Counter()
    for run, slot, table, first, second in Meeting.objects.filter(slot__isnull=False).values_list(
        "run_id", "slot_id", "table_id", "first_id", "second_id"
    ):
        seats[(run, slot, first)] += 1
        seats[(run, slot, second)] += 1
        if table is not None:
            tables[(run, slot, table)] += 1
    problems = [
        f"run {run}, slot {slot}: registration {reg} in {n} meetings"
        for (run, slot, reg), n in seats.items()
        if n > 1
    ]
    problems += [
        f"run {run}, slot {slot}: table {table} holds {n} meetings"
        for (run, slot, table), n in tables.items()
        if n > 1
    ]
    return problems


def duplicates(model: Any, fields: list[str]) -> list[str]:
    from django.db.models import Count

    rows = model.objects.values(*fields).annotate(n=Count("pk")).filter(n__gt=1)
    return [f"{model.__name__} {dict((f, r[f]) for f in fields)}: {r['n']} rows" for r in rows]


def lost_updates(acks_file: Path | None) -> tuple[list[str], int]:
    from mediane.plans.models import FundingSource

    if acks_file is None or not acks_file.exists():
        return [], 0
    acks = [json.loads(line) for line in acks_file.read_text().splitlines() if line.strip()]
    tokens = [a["token"] for a in acks if a["kind"] == "funding"]
    stored = Counter(
        FundingSource.objects.filter(funder__in=tokens).values_list("funder", flat=True)
    )
    problems = [f"funding {t}: acknowledged, {stored[t]} rows" for t in tokens if stored[t] != 1]
    return problems, len(tokens)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--acks", type=Path, help="acknowledged writes (JSON lines)")
    parser.add_argument("--targets", type=Path, help="targets.json (for the report only)")
    parser.add_argument("--json", type=Path, help="write the results to this file")
    args = parser.parse_args(argv)
    _setup()
    from mediane.market.models import Score
    from mediane.plans.models import IndicatorValue
    from mediane.summit.models import Meeting
    from mediane.tierslieux.models import Booking, BookingStatus

    lost, acknowledged = lost_updates(args.acks)
    checks = {
        "booking_overlaps": booking_overlaps(),
        "booking_capacity": booking_capacity(),
        "booking_slots": booking_slots(),
        "meeting_participants": meeting_participants(),
        "scores_unique": duplicates(Score, ["juror_id", "answer_id", "criterion_id"]),
        "indicator_values_unique": duplicates(IndicatorValue, ["indicator_id", "date"]),
        "lost_updates": lost,
    }
    counts = {
        "confirmed_bookings": Booking.objects.filter(status=BookingStatus.CONFIRMED).count(),
        "moved_meetings": Meeting.objects.filter(moved_at__isnull=False).count(),
        "scores": Score.objects.count(),
        "acknowledged_writes": acknowledged,
    }
    violations = sum(len(v) for v in checks.values())
    for name, problems in checks.items():
        print(f"{name}: {'ok' if not problems else f'{len(problems)} violation(s)'}")
        for problem in problems[:10]:
            print(f"  - {problem}")
    print("counts:", json.dumps(counts))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "violations": violations,
                    "checks": {k: len(v) for k, v in checks.items()},
                    "examples": {k: v[:10] for k, v in checks.items() if v},
                    "counts": counts,
                },
                indent=1,
                default=str,
            )
        )
    return 1 if violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
