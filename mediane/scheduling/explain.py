"""Why the required meetings cannot all be scheduled.

`quick_conflicts` finds the common causes without a solver: a required meeting with no
possible slot, a participant with more required meetings than slots where it can meet, more
required meetings fixed in one slot than tables, more required meetings than table-slots,
precedence cycles. `explain_infeasibility` adds, when none of these applies, an unsatisfiable
core of constraint groups found by CP-SAT with assumptions (one literal per group: a meeting's
session, a participant's unavailability, a fixed slot, a precedence, the tables, a meeting
being required), shrunk by deletion within the time budget; or says that only the fairness
bound makes it impossible.
"""

from __future__ import annotations

import time
from collections import defaultdict

from ortools.sat.python import cp_model

from .model import ANY, Instance

SESSION_NAMES = {"morning": "le matin", "afternoon": "l'après-midi"}
HEADER = "Les rencontres obligatoires ne peuvent pas toutes être planifiées."


def _possible_slots(instance: Instance, m: int) -> list[int]:
    meeting = instance.meetings[m]
    return [
        t
        for t, slot in enumerate(instance.slots)
        if (meeting.session == ANY or slot.session == meeting.session)
        and all(t not in instance.participants[p].unavailable for p in meeting.participants)
        and (meeting.fixed_slot is None or meeting.fixed_slot == t)
    ]


def _matching_size(meetings: list[int], options: dict[int, list[int]]) -> int:
    """Largest set of meetings that can take distinct slots (augmenting paths)."""
    owner: dict[int, int] = {}

    def augment(m: int, seen: set[int]) -> bool:
        for t in options[m]:
            if t in seen:
                continue
            seen.add(t)
            if t not in owner or augment(owner[t], seen):
                owner[t] = m
                return True
        return False

    return sum(1 for m in meetings if augment(m, set()))


def quick_conflicts(instance: Instance, fairness: int | None = None) -> list[str]:
    """Plain reasons the required meetings cannot all be scheduled (empty: none found)."""
    reasons: list[str] = []
    slots, meetings = instance.slots, instance.meetings
    required = [m for m, meeting in enumerate(meetings) if meeting.required]
    options = {m: _possible_slots(instance, m) for m in required}
    for m in required:
        if not options[m]:
            meeting = meetings[m]
            why = []
            if meeting.fixed_slot is not None:
                why.append(f"fixée au créneau {slots[meeting.fixed_slot].id}")
            if meeting.session != ANY:
                why.append(f"limitée à {SESSION_NAMES.get(meeting.session, meeting.session)}")
            names = ", ".join(str(instance.participants[p].id) for p in meeting.participants)
            why.append(f"disponibilités des participants {names}")
            reasons.append(f"Rencontre {meeting.id} : aucun créneau possible ({'; '.join(why)}).")
    by_participant: dict[int, list[int]] = defaultdict(list)
    for m in required:
        for p in meetings[m].participants:
            by_participant[p].append(m)
    for p, own in sorted(by_participant.items()):
        usable = sorted({t for m in own for t in options[m]})
        fit = _matching_size(own, options)
        if fit < len(own):
            reasons.append(
                f"Participant {instance.participants[p].id} : {len(own)} rencontres obligatoires "
                f"mais au plus {fit} peuvent avoir lieu à des créneaux distincts "
                f"({len(usable)} créneaux possibles pour ses rencontres)."
            )
    tables = len(instance.tables)
    fixed: dict[int, list[int]] = defaultdict(list)
    for m in required:
        fixed_slot = meetings[m].fixed_slot
        if fixed_slot is not None:
            fixed[fixed_slot].append(m)
    for t, placed in sorted(fixed.items()):
        if len(placed) > tables:
            reasons.append(
                f"Créneau {slots[t].id} : {len(placed)} rencontres obligatoires y sont "
                f"fixées pour {tables} tables."
            )
    for session in ("morning", "afternoon", None):
        concerned = [m for m in required if session is None or meetings[m].session == session]
        room = tables * sum(1 for s in slots if session is None or s.session == session)
        if len(concerned) > room:
            where = "en tout" if session is None else SESSION_NAMES[session]
            reasons.append(
                f"Tables : {len(concerned)} rencontres obligatoires {where} pour "
                f"{room} places (tables × créneaux)."
            )
    cycle = _precedence_cycle(instance, set(required))
    if cycle:
        names = " → ".join(str(meetings[m].id) for m in cycle)
        reasons.append(f"Précédences circulaires entre rencontres obligatoires : {names}.")
    return [HEADER, *reasons] if reasons else []


def _precedence_cycle(instance: Instance, required: set[int]) -> list[int]:
    state: dict[int, int] = {}
    stack: list[int] = []

    def visit(m: int) -> list[int]:
        state[m] = 1
        stack.append(m)
        for earlier in instance.meetings[m].after:
            if earlier not in required:
                continue
            if state.get(earlier) == 1:
                return stack[stack.index(earlier) :] + [earlier]
            if earlier not in state:
                found = visit(earlier)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return []

    for m in sorted(required):
        if m not in state:
            found = visit(m)
            if found:
                return list(reversed(found))
    return []


def _core_model(
    instance: Instance,
) -> tuple[cp_model.CpModel, dict[int, str], dict[int, cp_model.IntVar]]:
    """Required meetings only, every slot open; each constraint group behind one literal."""
    model = cp_model.CpModel()
    meetings, slots = instance.meetings, instance.slots
    n_slots = len(slots)
    required = [m for m, meeting in enumerate(meetings) if meeting.required]
    x = {(m, t): model.new_bool_var(f"x{m}_{t}") for m in required for t in range(n_slots)}
    groups: dict[int, str] = {}
    literals: dict[int, cp_model.IntVar] = {}

    def group(text: str) -> cp_model.IntVar:
        lit = model.new_bool_var(text)
        groups[lit.index] = text
        literals[lit.index] = lit
        return lit

    tables = group(f"Tables : au plus {len(instance.tables)} rencontres par créneau.")
    for t in range(n_slots):
        model.add(sum(x[m, t] for m in required) <= len(instance.tables)).only_enforce_if(tables)
    by_participant: dict[int, list[int]] = defaultdict(list)
    for m in required:
        meeting = meetings[m]
        lits = [x[m, t] for t in range(n_slots)]
        model.add_at_most_one(lits)
        model.add_bool_or(lits).only_enforce_if(group(f"Rencontre {meeting.id} : obligatoire."))
        if meeting.session != ANY:
            lit = group(
                f"Rencontre {meeting.id} : limitée à "
                f"{SESSION_NAMES.get(meeting.session, meeting.session)}."
            )
            for t, slot in enumerate(slots):
                if slot.session != meeting.session:
                    model.add(x[m, t] == 0).only_enforce_if(lit)
        if meeting.fixed_slot is not None:
            lit = group(
                f"Rencontre {meeting.id} : fixée au créneau {slots[meeting.fixed_slot].id}."
            )
            for t in range(n_slots):
                if t != meeting.fixed_slot:
                    model.add(x[m, t] == 0).only_enforce_if(lit)
        for earlier in meeting.after:
            if earlier not in x and (earlier, 0) not in x:
                continue
            lit = group(f"Rencontre {meeting.id} : après la rencontre {meetings[earlier].id}.")
            for t in range(n_slots):
                for u in range(t, n_slots):
                    model.add_bool_or([x[m, t].Not(), x[earlier, u].Not()]).only_enforce_if(lit)
        for p in meeting.participants:
            by_participant[p].append(m)
    for p, own in sorted(by_participant.items()):
        participant = instance.participants[p]
        once = group(f"Participant {participant.id} : une rencontre à la fois.")
        for t in range(n_slots):
            model.add_at_most_one([x[m, t] for m in own]).only_enforce_if(once)
        if participant.unavailable:
            names = ", ".join(str(slots[t].id) for t in sorted(participant.unavailable))
            lit = group(f"Participant {participant.id} : indisponible aux créneaux {names}.")
            for t in participant.unavailable:
                for m in own:
                    model.add(x[m, t] == 0).only_enforce_if(lit)
    return model, groups, literals


def _infeasible_with(
    model: cp_model.CpModel, lits: list[cp_model.IntVar], seconds: float
) -> bool | None:
    model.clear_assumptions()
    model.add_assumptions(lits)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return True
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    return None


def explain_infeasibility(
    instance: Instance, fairness: int | None = None, *, time_limit: float = 20.0
) -> list[str]:
    """French lines explaining the conflict (first line: a summary)."""
    quick = quick_conflicts(instance, fairness)
    if quick:
        return quick
    deadline = time.monotonic() + time_limit
    model, groups, literals = _core_model(instance)
    model.add_assumptions([literals[i] for i in sorted(groups)])
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit / 2)
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if fairness is None:
            return [HEADER, "Aucune cause isolée : le problème est trop contraint."]
        return [
            HEADER,
            f"Équité : les contraintes de créneaux sont respectables, mais pas avec un écart "
            f"d'au plus {fairness} pauses entre deux participants (augmenter l'écart permis, "
            f"ou rendre facultatives des rencontres de participants très chargés).",
        ]
    if status != cp_model.INFEASIBLE:
        return [HEADER, "Cause non trouvée dans le temps imparti."]
    core = sorted(solver.sufficient_assumptions_for_infeasibility())
    # Deletion: drop a group when the rest stays infeasible, while time remains.
    index = 0
    while index < len(core) and time.monotonic() < deadline - 0.1:
        trial = core[:index] + core[index + 1 :]
        left = deadline - time.monotonic()
        if trial and _infeasible_with(model, [literals[i] for i in trial], min(2.0, left)):
            core = trial
        else:
            index += 1
    return [HEADER, "Contraintes en conflit :", *(groups[lit] for lit in core)]
