"""Tables for a schedule whose slots are chosen: each participant keeps one table as much as
possible (an exhibitor with many meetings stays at its stand).

Slot by slot, meetings are assigned to tables by a minimum-cost assignment (OR-Tools linear sum
assignment): putting a meeting at a table that is not the one a participant sat at before
costs that participant's number of meetings. Two passes: chronological (previous table), then
towards each participant's most used table of the first pass; the pass with fewer changes wins.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from ortools.graph.python import linear_sum_assignment  # type: ignore[import-untyped]

from .model import Instance, Placement


def table_changes(instance: Instance, placements: list[Placement]) -> int:
    """How many times a participant changes table between two consecutive meetings."""
    seats: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for placement in placements:
        if placement.table is None:
            continue
        for p in instance.meetings[placement.meeting].participants:
            seats[p].append((placement.slot, placement.table))
    changes = 0
    for sequence in seats.values():
        sequence.sort()
        changes += sum(1 for a, b in zip(sequence, sequence[1:], strict=False) if a[1] != b[1])
    return changes


def _pass(
    instance: Instance,
    by_slot: dict[int, list[int]],
    weight: list[int],
    home: dict[int, int] | None,
) -> list[Placement]:
    n_tables = len(instance.tables)
    last: dict[int, int] = {}
    result: list[Placement] = []
    for slot in sorted(by_slot):
        meetings = by_slot[slot]
        size = n_tables  # square problem: dummy meetings cost nothing
        assignment = linear_sum_assignment.SimpleLinearSumAssignment()
        for row in range(size):
            for table in range(n_tables):
                cost = 0
                if row < len(meetings):
                    for p in instance.meetings[meetings[row]].participants:
                        wanted = home.get(p, last.get(p)) if home is not None else last.get(p)
                        if wanted is not None and wanted != table:
                            cost += weight[p]
                        if home is not None and p in last and last[p] != table:
                            cost += 1
                assignment.add_arc_with_cost(row, table, cost)
        if assignment.solve() != assignment.OPTIMAL:  # pragma: no cover - always square
            raise RuntimeError("table assignment failed")
        for row, m in enumerate(meetings):
            table = assignment.right_mate(row)
            result.append(Placement(meeting=m, slot=slot, table=table))
            for p in instance.meetings[m].participants:
                last[p] = table
    return result


def assign_tables(instance: Instance, placements: list[Placement]) -> tuple[list[Placement], int]:
    """Placements with a table each, and the number of table changes."""
    if not placements:
        return [], 0
    by_slot: dict[int, list[int]] = defaultdict(list)
    for placement in placements:
        by_slot[placement.slot].append(placement.meeting)
    if any(len(ms) > len(instance.tables) for ms in by_slot.values()):
        raise ValueError("more meetings than tables in a slot")
    weight = [len(own) for own in instance.meetings_of()]
    first = _pass(instance, by_slot, weight, None)
    used: dict[int, Counter[int]] = defaultdict(Counter)
    for placement in first:
        for p in instance.meetings[placement.meeting].participants:
            used[p][placement.table or 0] += 1
    home = {p: counter.most_common(1)[0][0] for p, counter in used.items()}
    second = _pass(instance, by_slot, weight, home)
    best = min((first, second), key=lambda result: table_changes(instance, result))
    return best, table_changes(instance, best)
