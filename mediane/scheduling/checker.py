"""Independent checker of a schedule.

Written apart from the solver and sharing nothing with how it builds its constraints: it reads
the instance and the placements only, recounts the breaks from the slots' days and sessions,
and compares them with what the solution reports. `check` returns the violations found, in
French (an empty list means the schedule is valid).
"""

from __future__ import annotations

from collections import defaultdict

from .model import Instance, Solution


def _same_block(instance: Instance, left: int, right: int) -> bool:
    """Slots `left` < `right` are in one block when every slot from one to the other has the
    same day (and the same session when breaks are counted within sessions)."""
    by_session = instance.breaks_within == "session"

    def key(s: int) -> tuple[object, object]:
        slot = instance.slots[s]
        return (slot.day, slot.session if by_session else None)

    return all(key(s) == key(left) for s in range(left, right + 1))


def count_breaks(instance: Instance, busy_slots: list[int]) -> int:
    """Idle runs between two consecutive meetings of one participant within one block."""
    ordered = sorted(busy_slots)
    return sum(
        1
        for previous, following in zip(ordered, ordered[1:], strict=False)
        if following - previous > 1 and _same_block(instance, previous, following)
    )


def recount_breaks(instance: Instance, solution: Solution) -> list[int]:
    """Breaks of every participant in the solution's schedule."""
    busy: dict[int, list[int]] = defaultdict(list)
    for placement in solution.placements:
        if 0 <= placement.meeting < len(instance.meetings):
            for participant in instance.meetings[placement.meeting].participants:
                busy[participant].append(placement.slot)
    return [count_breaks(instance, busy[p]) for p in range(len(instance.participants))]


def check(instance: Instance, solution: Solution, fairness: int | None = None) -> list[str]:
    """Violations of the hard constraints, of the breaks reported and of the fairness bound."""
    problems: list[str] = []
    slots = len(instance.slots)
    tables = len(instance.tables)
    meetings = instance.meetings
    seen: dict[int, int] = {}
    per_slot: dict[int, list[int]] = defaultdict(list)
    tables_used: dict[tuple[int, int], int] = {}
    occupied: dict[tuple[int, int], int] = {}

    for placement in solution.placements:
        m, s, table = placement.meeting, placement.slot, placement.table
        if not 0 <= m < len(meetings):
            problems.append(f"Rencontre inconnue (indice {m}).")
            continue
        meeting = meetings[m]
        name = f"Rencontre {meeting.id}"
        if not 0 <= s < slots:
            problems.append(f"{name} : créneau inconnu (indice {s}).")
            continue
        if m in seen:
            problems.append(f"{name} : planifiée deux fois.")
            continue
        seen[m] = s
        per_slot[s].append(m)
        slot = instance.slots[s]
        if meeting.session != "any" and slot.session != meeting.session:
            problems.append(
                f"{name} : au créneau {slot.id} ({slot.session}) au lieu de "
                f"la session {meeting.session}."
            )
        if meeting.fixed_slot is not None and s != meeting.fixed_slot:
            problems.append(
                f"{name} : fixée au créneau {instance.slots[meeting.fixed_slot].id}, "
                f"placée au créneau {slot.id}."
            )
        for p in meeting.participants:
            participant = instance.participants[p]
            if s in participant.unavailable:
                problems.append(
                    f"{name} : le participant {participant.id} est indisponible "
                    f"au créneau {slot.id}."
                )
            if (p, s) in occupied:
                other = meetings[occupied[p, s]].id
                problems.append(
                    f"Participant {participant.id} : deux rencontres au créneau "
                    f"{slot.id} ({other} et {meeting.id})."
                )
            else:
                occupied[p, s] = m
        if table is not None:
            if not 0 <= table < tables:
                problems.append(f"{name} : table inconnue (indice {table}).")
            elif (s, table) in tables_used:
                other = meetings[tables_used[s, table]].id
                problems.append(
                    f"Table {instance.tables[table]} : deux rencontres au créneau "
                    f"{slot.id} ({other} et {meeting.id})."
                )
            else:
                tables_used[s, table] = m

    for s, placed in sorted(per_slot.items()):
        if len(placed) > tables:
            problems.append(
                f"Créneau {instance.slots[s].id} : {len(placed)} rencontres pour {tables} tables."
            )

    for m, meeting in enumerate(meetings):
        if meeting.required and m not in seen:
            problems.append(f"Rencontre {meeting.id} : obligatoire mais non planifiée.")
        for earlier in meeting.after:
            if m in seen and earlier in seen and not seen[earlier] < seen[m]:
                problems.append(
                    f"Rencontre {meeting.id} : doit suivre la rencontre "
                    f"{meetings[earlier].id}, qui n'a pas lieu avant."
                )

    unscheduled = sorted(set(range(len(meetings))) - set(seen))
    if sorted(solution.unscheduled) != unscheduled:
        problems.append("La liste des rencontres non planifiées ne correspond pas au planning.")

    breaks = recount_breaks(instance, solution)
    if solution.breaks_per_participant and solution.breaks_per_participant != breaks:
        for p, (said, real) in enumerate(
            zip(solution.breaks_per_participant, breaks, strict=False)
        ):
            if said != real:
                problems.append(
                    f"Participant {instance.participants[p].id} : {said} pauses "
                    f"annoncées, {real} comptées."
                )
        if len(solution.breaks_per_participant) != len(breaks):
            problems.append("Pauses par participant : nombre de participants différent.")
    if solution.breaks is not None and solution.breaks != sum(breaks):
        problems.append(f"{solution.breaks} pauses annoncées, {sum(breaks)} comptées.")

    if fairness is not None:
        attending = {p for meeting in meetings for p in meeting.participants}
        concerned = [breaks[p] for p in sorted(attending)]
        if concerned and max(concerned) - min(concerned) > fairness:
            problems.append(
                f"Équité : les pauses vont de {min(concerned)} à {max(concerned)}, "
                f"écart supérieur à {fairness}."
            )
    return problems
