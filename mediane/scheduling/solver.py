"""B2B meeting scheduler on OR-Tools CP-SAT.

`solve(instance, fairness=2, time_limit=60)` returns the best schedule found within the time
limit, its status and the best proven bound. Objectives, in order:

1. every required meeting is scheduled (a hard constraint: when impossible the status is
   `infeasible` and `Solution.explanation` says which constraints conflict, see `explain.py`);
2. as many optional meetings as possible, weighted by priority (`PRIORITY_WEIGHTS`);
3. as few breaks as possible, with no two participants' break counts more than `fairness`
   apart. A break is a run of idle slots strictly between two meetings of a participant within
   one block (same day and session): the lunch pause between the morning and the afternoon is
   not a break.

Objective 2 is solved first when the instance has optional meetings, then fixed, then the
breaks are minimised starting from that schedule. Tables are assigned afterwards
(`tables.py`). No Django import: the summit app calls it from a background task, with
`progress` (called with a `Progress`) and `stop` (a `threading.Event`; setting it ends the
search and returns the best schedule found so far).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from .model import (
    ANY,
    FEASIBLE,
    INFEASIBLE,
    OPTIMAL,
    PRIORITY_WEIGHTS,
    UNKNOWN,
    Instance,
    Placement,
    Solution,
)

# Size guard: beyond these the model would not fit in memory or time on a small server.
MAX_MEETINGS = 20_000
MAX_SLOTS = 500
MAX_PARTICIPANTS = 20_000
MAX_PAIRS = 3_000_000  # (meeting, possible slot) pairs
# Windows of a participant within a block (see _add_windows) above this count are skipped.
MAX_WINDOWS_PER_BLOCK = 40
# The SAT break search (satsearch.py), for instances without optional meetings that the probe
# and a first minimisation of SAT_FIRST_MINIMISATION seconds (at most 15 % of the time left;
# 0: none) did not settle: its share of the time left, and how many budgets from the proven
# bound up it asks for.
SAT_FIRST_MINIMISATION = 8.0
SAT_SHARE = 0.85
SAT_BUDGET_STEPS = 12
# Lower bounds per participant (one small model each) are computed up to this size.
LOWER_BOUND_MAX_MEETINGS = 5_000


@dataclass(frozen=True)
class Progress:
    """What the `progress` callback receives: phase, elapsed fraction of the time limit, the
    objective of the best schedule so far and the best proven bound of the current phase."""

    phase: str
    fraction: float
    message: str
    objective: int | None = None
    bound: int | None = None


ProgressCallback = Callable[[Progress], None]


class TooLargeError(ValueError):
    """The instance exceeds the size guard; the message is in French."""


def domains(instance: Instance) -> list[list[int]]:
    """Slots each meeting may take: session, participants' availability, fixed slot, and the
    earliest/latest slots implied by precedences between required meetings."""
    result: list[list[int]] = []
    for meeting in instance.meetings:
        allowed = [
            t
            for t, slot in enumerate(instance.slots)
            if (meeting.session == ANY or slot.session == meeting.session)
            and all(t not in instance.participants[p].unavailable for p in meeting.participants)
            and (meeting.fixed_slot is None or t == meeting.fixed_slot)
        ]
        result.append(allowed)
    required = [m.required for m in instance.meetings]
    edges = [
        (earlier, later)
        for later, meeting in enumerate(instance.meetings)
        for earlier in meeting.after
        if required[earlier] and required[later]
    ]
    for _ in range(len(instance.slots) + 1):
        changed = False
        for earlier, later in edges:
            if not result[earlier] or not result[later]:
                continue
            low = result[earlier][0]
            kept = [t for t in result[later] if t > low]
            high = kept[-1] if kept else -1
            kept_earlier = [t for t in result[earlier] if t < high]
            if kept != result[later] or kept_earlier != result[earlier]:
                result[later], result[earlier] = kept, kept_earlier
                changed = True
        if not changed:
            break
    return result


class ScheduleModel:
    """The CP-SAT model: variables, hard constraints, breaks and fairness."""

    def __init__(self, instance: Instance, fairness: int | None, *, windows: bool = True) -> None:
        self.instance = instance
        self.fairness = fairness
        self.windows = windows
        self.model = cp_model.CpModel()
        self.domains = domains(instance)
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.placed: list[cp_model.LinearExprT] = []
        self.busy: dict[tuple[int, int], cp_model.IntVar] = {}
        self.break_lits: list[list[cp_model.IntVar]] = []
        self.breaks_of: list[cp_model.LinearExprT] = []
        self.weight_terms: list[tuple[int, cp_model.IntVar]] = []
        self.window_lits: list[cp_model.IntVar] = []
        self._build()

    # -- hard constraints -------------------------------------------------------------------
    def _build(self) -> None:
        instance, model = self.instance, self.model
        n_slots = len(instance.slots)
        for m, meeting in enumerate(instance.meetings):
            lits = []
            for t in self.domains[m]:
                self.x[m, t] = model.new_bool_var(f"x{m}_{t}")
                lits.append(self.x[m, t])
            if meeting.required:
                model.add_exactly_one(lits)
                self.placed.append(1)
            else:
                placed = model.new_bool_var(f"placed{m}")
                model.add(sum(lits) == placed)
                self.placed.append(placed)
                self.weight_terms.append((PRIORITY_WEIGHTS[meeting.priority], placed))

        by_slot: list[list[int]] = [[] for _ in range(n_slots)]
        for m, t in self.x:
            by_slot[t].append(m)
        tables = len(instance.tables)
        meetings_of = instance.meetings_of()
        for p, own in enumerate(meetings_of):
            for t in range(n_slots):
                lits = [self.x[m, t] for m in own if (m, t) in self.x]
                if len(lits) == 1:
                    self.busy[p, t] = lits[0]
                elif lits:
                    busy = model.new_bool_var(f"busy{p}_{t}")
                    model.add(sum(lits) == busy)
                    self.busy[p, t] = busy
            # Implied: the participant is busy in as many slots as it has meetings.
            slots_busy = [self.busy[p, t] for t in range(n_slots) if (p, t) in self.busy]
            if slots_busy:
                model.add(sum(slots_busy) == sum(self.placed[m] for m in own))
        for t, present in enumerate(by_slot):
            if not present:
                continue
            # Capacity, and the implied link between meetings and busy participants per slot
            # (an integer count per slot lets propagation round: 2 per two-party meeting).
            count = model.new_int_var(0, min(tables, len(present)), f"count{t}")
            model.add(sum(self.x[m, t] for m in present) == count)
            people = [self.busy[p, t] for p in range(len(meetings_of)) if (p, t) in self.busy]
            sizes = {len(instance.meetings[m].participants) for m in present}
            if sizes == {2}:
                model.add(sum(people) == 2 * count)
            else:
                model.add(
                    sum(people)
                    == sum(len(instance.meetings[m].participants) * self.x[m, t] for m in present)
                )
        for later, meeting in enumerate(instance.meetings):
            for earlier in meeting.after:
                for t in self.domains[later]:
                    not_before = [self.x[earlier, u] for u in self.domains[earlier] if u >= t]
                    if not_before:
                        model.add_at_most_one([self.x[later, t], *not_before])
        self._add_breaks(meetings_of)

    # -- breaks and fairness ----------------------------------------------------------------
    def _add_breaks(self, meetings_of: list[list[int]]) -> None:
        instance, model = self.instance, self.model
        blocks = instance.blocks()
        attending = [p for p, own in enumerate(meetings_of) if own]
        can_have_none = any(len(meetings_of[p]) < 2 for p in attending)
        top = (
            self.fairness if (self.fairness is not None and can_have_none) else len(instance.slots)
        )
        for p, own in enumerate(meetings_of):
            lits: list[cp_model.IntVar] = []
            if len(own) >= 2:
                for block in blocks:
                    lits.extend(self._block_breaks(p, block))
            self.break_lits.append(lits)
            if not lits:
                self.breaks_of.append(0)
                continue
            total = model.new_int_var(0, max(0, min(top, len(lits))), f"breaks{p}")
            model.add(total == sum(lits))
            self.breaks_of.append(total)
            if self.windows:
                for block in blocks:
                    self._add_windows(p, own, block, total)
        if self.fairness is not None and attending and not can_have_none:
            high = model.new_int_var(0, len(instance.slots), "max_breaks")
            low = model.new_int_var(0, len(instance.slots), "min_breaks")
            for p in attending:
                model.add(self.breaks_of[p] <= high)
                model.add(self.breaks_of[p] >= low)
            model.add(high - low <= self.fairness)

    def _block_breaks(self, p: int, block: list[int]) -> list[cp_model.IntVar]:
        """Literals 'a break starts at slot t': busy at t-1, idle at t, busy later in block."""
        model = self.model
        later: dict[int, cp_model.IntVar | None] = {}
        following: cp_model.IntVar | None = None
        for t in reversed(block):
            busy = self.busy.get((p, t))
            if busy is not None and following is not None:
                either = model.new_bool_var(f"later{p}_{t}")
                model.add_bool_or([busy, following]).only_enforce_if(either)
                model.add_implication(busy, either)
                model.add_implication(following, either)
                following = either
            elif busy is not None:
                following = busy
            later[t] = following
        lits = []
        for i in range(1, len(block) - 1):
            t = block[i]
            before, busy, after = (
                self.busy.get((p, block[i - 1])),
                self.busy.get((p, t)),
                later[block[i + 1]],
            )
            if before is None or after is None:
                continue
            conditions = [before, after] + ([busy.Not()] if busy is not None else [])
            starts = model.new_bool_var(f"break{p}_{t}")
            model.add_bool_and(conditions).only_enforce_if(starts)
            model.add_bool_or([c.Not() for c in conditions] + [starts])
            lits.append(starts)
        return lits

    def _add_windows(
        self, p: int, own: list[int], block: list[int], total: cp_model.IntVar
    ) -> None:
        """Implied: a participant without break in a block is busy on one window of it.

        For each window [a, b] of a feasible length, W → busy inside and idle outside; then
        breaks(p) + ΣW ≥ 'busy somewhere in the block'. Sound (W may be chosen true whenever
        the busy slots form that window) and it gives the linear relaxation the counting
        argument 'k meetings without break cover the middle of the block'.
        """
        model = self.model
        inside = set(block)
        surely = sum(1 for m in own if self.domains[m] and set(self.domains[m]) <= inside)
        maybe = sum(1 for m in own if inside.intersection(self.domains[m]))
        possible = [t for t in block if (p, t) in self.busy]
        longest = min(maybe, len(possible))
        if longest < 2:
            return
        shortest = max(surely, 1)
        windows = [
            (a, b)
            for i, a in enumerate(block)
            for b in block[i:]
            if shortest <= b - a + 1 <= longest
            and all((p, t) in self.busy for t in range(a, b + 1))
        ]
        if not windows or len(windows) > MAX_WINDOWS_PER_BLOCK:
            return
        chosen = []
        for a, b in windows:
            window = model.new_bool_var(f"window{p}_{a}_{b}")
            for t in possible:
                if a <= t <= b:
                    model.add_implication(window, self.busy[p, t])
                else:
                    model.add_implication(window, self.busy[p, t].Not())
            chosen.append(window)
        self.window_lits.extend(chosen)
        somewhere = model.new_bool_var(f"present{p}_{block[0]}")
        model.add_bool_or([self.busy[p, t] for t in possible]).only_enforce_if(somewhere)
        for t in possible:
            model.add_implication(self.busy[p, t], somewhere)
        model.add(total + sum(chosen) >= somewhere)

    # -- objectives ---------------------------------------------------------------------------
    def breaks_expr(self) -> cp_model.LinearExprT:
        return sum(lit for lits in self.break_lits for lit in lits)

    def weight_expr(self) -> cp_model.LinearExprT:
        return sum(w * lit for w, lit in self.weight_terms)


class _Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(
        self, phase: str, started: float, limit: float, progress: ProgressCallback | None
    ) -> None:
        super().__init__()
        self.phase, self.started, self.limit, self.progress = phase, started, limit, progress

    def on_solution_callback(self) -> None:
        if self.progress is None:
            return
        objective = int(round(self.ObjectiveValue()))
        bound = int(round(self.BestObjectiveBound()))
        fraction = min(1.0, (time.monotonic() - self.started) / max(self.limit, 1e-9))
        if self.phase == "probe":
            return
        if self.phase == "optional":
            objective, bound = -objective, -bound
            message = f"rencontres facultatives : poids {objective} (borne {bound})"
        else:
            message = f"pauses : {objective} (borne {bound})"
        self.progress(Progress(self.phase, fraction, message, objective, bound))


def _parameters(
    solver: cp_model.CpSolver, time_limit: float, workers: int, *, probe: bool = False
) -> None:
    """Measured on 2 cores (docs/benchmarks.md): CP-SAT's portfolio of 8 workers (LNS
    included) for the optimisation; for the probe, one worker with the full linear relaxation
    (it proves infeasibility) and one without linear relaxation (it finds schedules)."""
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    if probe and workers >= 2:
        solver.parameters.num_workers = 2
        solver.parameters.subsolvers.extend(["no_lp", "max_lp"])
    else:
        solver.parameters.num_workers = max(1, workers)


def _run(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    watcher: _Watcher,
    stop: threading.Event | None,
) -> Any:
    if stop is None:
        return solver.solve(model, watcher)
    if stop.is_set():
        solver.parameters.max_time_in_seconds = 0.0
        return solver.solve(model)
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if stop.wait(0.1):
                solver.stop_search()
                return

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        return solver.solve(model, watcher)
    finally:
        done.set()
        thread.join()


def greedy_schedule(instance: Instance, allowed: list[list[int]], cap: int | None) -> list[int]:
    """A quick schedule, used as a first solution and a hint: required meetings first (fewest
    possible slots first), then optional ones by weight; each at the slot that adds the fewest
    breaks to its participants, never above `cap` breaks for anyone. Returns the slot of each
    meeting, -1 when not placed."""
    tables = len(instance.tables)
    block_of = {t: b for b, block in enumerate(instance.blocks()) for t in block}
    slot_of = [-1] * len(instance.meetings)
    later: list[list[int]] = [[] for _ in instance.meetings]
    for m, meeting in enumerate(instance.meetings):
        for earlier in meeting.after:
            later[earlier].append(m)
    busy: list[set[int]] = [set() for _ in instance.participants]
    count = [0] * len(instance.slots)

    def breaks(slots: set[int]) -> int:
        ordered = sorted(slots)
        return sum(
            1
            for a, b in zip(ordered, ordered[1:], strict=False)
            if b - a > 1 and block_of[a] == block_of[b]
        )

    order = sorted(
        range(len(instance.meetings)),
        key=lambda m: (
            not instance.meetings[m].required,
            -PRIORITY_WEIGHTS[instance.meetings[m].priority],
            len(allowed[m]),
        ),
    )
    current = [0] * len(instance.participants)
    for m in order:
        members = instance.meetings[m].participants
        best: tuple[int, int] | None = None
        for t in allowed[m]:
            if count[t] >= tables or any(t in busy[p] for p in members):
                continue
            before = [slot_of[e] for e in instance.meetings[m].after if slot_of[e] >= 0]
            after = [slot_of[e] for e in later[m] if slot_of[e] >= 0]
            if (before and max(before) >= t) or (after and min(after) <= t):
                continue
            added = [breaks(busy[p] | {t}) for p in members]
            if cap is not None and max(added) > cap:
                continue
            cost = sum(added) - sum(current[p] for p in members)
            if best is None or cost < best[0]:
                best = (cost, t)
        if best is not None:
            t = best[1]
            slot_of[m] = t
            count[t] += 1
            for p in members:
                busy[p].add(t)
                current[p] = breaks(busy[p])
    return slot_of


def _one_more_break(
    instance: Instance,
    fairness: int | None,
    lower: list[int],
    weight: int | None,
    values: dict[tuple[int, int], bool] | None,
    deadline: float,
    workers: int,
    stop: threading.Event | None,
    phases: list[dict[str, object]],
) -> tuple[ScheduleModel, cp_model.CpSolver] | None:
    """When no schedule keeps every participant at its own lower bound, try each participant
    in turn (most meetings first) as the only one allowed one break more: every call
    propagates strongly, and a schedule found this way has the proven minimum (`forum-13crafc`:
    found at the fifth participant, 10 s)."""
    cap = fairness if fairness is not None else len(instance.slots)
    load = [len(own) for own in instance.meetings_of()]
    candidates = sorted(
        (p for p, own in enumerate(instance.meetings_of()) if len(own) >= 2 and lower[p] < cap),
        key=lambda p: -load[p],
    )
    tried = 0
    for q in candidates:
        left = deadline - time.monotonic()
        if left < 0.5 or (stop is not None and stop.is_set()):
            break
        probe = ScheduleModel(instance, fairness)
        if weight is not None:
            probe.model.add(probe.weight_expr() >= weight)
        for p, bound in enumerate(lower):
            if not isinstance(probe.breaks_of[p], int):
                probe.model.add(probe.breaks_of[p] <= bound + (1 if p == q else 0))
        _hint(probe, values)
        solver = cp_model.CpSolver()
        _parameters(solver, min(3.0, left), workers, probe=True)
        status = solver.solve(probe.model)
        tried += 1
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            phases.append({"phase": "one more break", "tried": tried, "found": True})
            return probe, solver
    phases.append({"phase": "one more break", "tried": tried, "found": False})
    return None


def _sat_phase(
    instance: Instance,
    built: ScheduleModel,
    fairness: int | None,
    lower: list[int],
    proven: int,
    seconds: float,
    stop: threading.Event | None,
    phases: list[dict[str, object]],
    report: Callable[[str, str], None],
) -> tuple[list[int] | None, int]:
    """Ask the SAT portfolio (`satsearch.py`) for a schedule of the required meetings (the
    instance has no optional one) with `proven` breaks, then one more, … Returns the slot per
    meeting (None when none was found) and the lower bound the answers "impossible" proved
    (0 when none).

    Each participant is held to at most `m0 + fairness` breaks, m0 being the smallest
    per-participant lower bound: every schedule that keeps the fairness bound meets it
    (breaks ≥ own lower bound ≥ m0). An answer "impossible" proves the budget when that cap
    follows from the fairness bound: m0 = 0 and some participant has fewer than two meetings,
    hence no break.
    """
    from . import satsearch

    placed = [m for m, meeting in enumerate(instance.meetings) if meeting.required]
    if not placed or not satsearch.available(instance, built.domains, placed):
        return None, 0
    meetings_of = instance.meetings_of()
    attending = [p for p, own in enumerate(meetings_of) if own]
    smallest = min(lower[p] for p in attending)
    caps: list[int | None] = [
        None if fairness is None else smallest + fairness for _ in instance.participants
    ]
    exact = fairness is None or (smallest == 0 and any(len(meetings_of[p]) < 2 for p in attending))
    report("sat", f"recherche d'un planning à {proven} pauses (solveur SAT)")
    budgets = list(range(proven, proven + SAT_BUDGET_STEPS))
    outcome = satsearch.search(
        instance, built.domains, placed, caps, budgets, seconds, stop, exact=exact
    )
    phases.append(
        {
            "phase": "sat",
            "members": outcome.members,
            "time_s": round(outcome.seconds, 3),
            "budget": outcome.budget,
            "refuted": outcome.refuted,
        }
    )
    bound = outcome.refuted + 1 if exact and outcome.refuted >= 0 else 0
    return outcome.slots, bound


def participant_lower_bounds(instance: Instance, deadline: float) -> list[int]:
    """Fewest breaks each participant can have on its own (its meetings only, precedences
    ignored): a valid lower bound per participant. Zero where time runs out."""
    bounds = [0] * len(instance.participants)
    for p, own in enumerate(instance.meetings_of()):
        if len(own) < 2:
            continue
        left = deadline - time.monotonic()
        if left < 0.05:
            break
        alone = dataclasses.replace(
            instance,
            meetings=tuple(dataclasses.replace(instance.meetings[m], after=()) for m in own),
        )
        built = ScheduleModel(alone, None, windows=False)
        built.model.minimize(sum(built.break_lits[p]))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = min(2.0, left)
        status = solver.solve(built.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE):
            bounds[p] = (
                max(0, int(solver.best_objective_bound)) if status != cp_model.INFEASIBLE else 0
            )
    return bounds


def check_size(instance: Instance) -> None:
    """Raise `TooLargeError` when the instance exceeds the size guard."""
    pairs = len(instance.meetings) * len(instance.slots)
    if (
        len(instance.meetings) > MAX_MEETINGS
        or len(instance.slots) > MAX_SLOTS
        or len(instance.participants) > MAX_PARTICIPANTS
        or pairs > MAX_PAIRS
    ):
        raise TooLargeError(
            f"Instance trop grande : {len(instance.meetings)} rencontres, {len(instance.slots)} "
            f"créneaux, {len(instance.participants)} participants (au plus {MAX_MEETINGS}, "
            f"{MAX_SLOTS}, {MAX_PARTICIPANTS} et {MAX_PAIRS} couples rencontre × créneau)."
        )


def solve(
    instance: Instance,
    *,
    fairness: int | None = 2,
    time_limit: float = 60.0,
    workers: int = 8,
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    assign_tables: bool = True,
    explain: bool = True,
) -> Solution:
    """Schedule the meetings of `instance`; see the module docstring."""
    from .explain import explain_infeasibility, quick_conflicts
    from .tables import assign_tables as place_on_tables

    check_size(instance)
    started = time.monotonic()
    deadline = started + time_limit

    def remaining() -> float:
        return max(0.01, deadline - time.monotonic())

    def report(phase: str, message: str) -> None:
        if progress is not None:
            fraction = min(1.0, (time.monotonic() - started) / max(time_limit, 1e-9))
            progress(Progress(phase, fraction, message))

    def finished(solution: Solution) -> Solution:
        """Tables assigned (when asked) and the time taken."""
        if assign_tables:
            report("tables", "attribution des tables")
            solution.placements, solution.table_changes = place_on_tables(
                instance, solution.placements
            )
        solution.solve_time_s = time.monotonic() - started
        return solution

    report("model", "construction du modèle")
    conflicts = quick_conflicts(instance, fairness)
    if conflicts:
        return Solution(
            status=INFEASIBLE,
            fairness=fairness,
            explanation=conflicts,
            solve_time_s=time.monotonic() - started,
        )
    built = ScheduleModel(instance, fairness)
    model = built.model
    phases: list[dict[str, object]] = []
    weight_value, weight_bound = 0, 0
    values: dict[tuple[int, int], bool] | None = None
    optional_proven = True
    # A quick greedy schedule: the first hint, and the answer if CP-SAT finds nothing in time.
    greedy = greedy_schedule(instance, built.domains, fairness)
    greedy_complete = all(
        greedy[m] >= 0 for m, meeting in enumerate(instance.meetings) if meeting.required
    )
    if greedy_complete:
        values = {(m, t): greedy[m] == t for (m, t) in built.x}
        _hint(built, values)

    if built.weight_terms:
        model.maximize(built.weight_expr())
        solver = cp_model.CpSolver()
        _parameters(solver, remaining() * 0.5, workers)
        status = _run(solver, model, _Watcher("optional", started, time_limit, progress), stop)
        phases.append(
            {
                "phase": "optional",
                "status": solver.status_name(status),
                "time_s": round(solver.wall_time, 3),
            }
        )
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            weight_value = int(round(solver.objective_value))
            weight_bound = int(round(solver.best_objective_bound))
            optional_proven = status == cp_model.OPTIMAL
            values = {key: bool(solver.boolean_value(var)) for key, var in built.x.items()}
            model.add(built.weight_expr() >= weight_value)
            model.clear_objective()
        elif status == cp_model.INFEASIBLE:
            return _infeasible(
                instance, fairness, started, phases, explain, explain_infeasibility, remaining()
            )
        elif greedy_complete:
            optional_proven = False
            weight_value = sum(
                PRIORITY_WEIGHTS[meeting.priority]
                for m, meeting in enumerate(instance.meetings)
                if not meeting.required and greedy[m] >= 0
            )
            weight_bound = int(round(solver.best_objective_bound))
            model.add(built.weight_expr() >= weight_value)
            model.clear_objective()
        else:
            return Solution(
                status=UNKNOWN,
                fairness=fairness,
                phases=phases,
                solve_time_s=time.monotonic() - started,
            )

    # Phase 2: breaks. Lower bounds per participant, then a probe "each participant at its
    # own lower bound" (when it succeeds the schedule is optimal), then the optimisation.
    lower = [0] * len(instance.participants)
    if len(instance.meetings) <= LOWER_BOUND_MAX_MEETINGS:
        report("bounds", "bornes inférieures par participant")
        lower = participant_lower_bounds(
            instance, time.monotonic() + min(0.1 * time_limit, remaining() * 0.15)
        )
    proven = sum(lower)
    found: tuple[ScheduleModel, cp_model.CpSolver] | None = None
    gap_one = False  # every participant at its own bound was proved impossible
    if (stop is None or not stop.is_set()) and remaining() > 0.5:
        probe = ScheduleModel(instance, fairness)
        if built.weight_terms:
            probe.model.add(probe.weight_expr() >= weight_value)
        for p, bound in enumerate(lower):
            if not isinstance(probe.breaks_of[p], int):
                probe.model.add(probe.breaks_of[p] <= bound)
        _hint(probe, values)
        probe_solver = cp_model.CpSolver()
        _parameters(probe_solver, remaining() * 0.3, workers, probe=True)
        report("probe", f"recherche d'un planning à {proven} pauses")
        probe_status = _run(
            probe_solver, probe.model, _Watcher("probe", started, time_limit, None), stop
        )
        phases.append(
            {
                "phase": "probe",
                "status": probe_solver.status_name(probe_status),
                "time_s": round(probe_solver.wall_time, 3),
                "breaks": proven,
            }
        )
        if probe_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = (probe, probe_solver)
        elif probe_status == cp_model.INFEASIBLE:
            proven += 1
            gap_one = True
    if found is None:
        for p, bound in enumerate(lower):
            if bound:
                model.add(built.breaks_of[p] >= bound)
        if proven:
            model.add(built.breaks_expr() >= proven)
        model.minimize(built.breaks_expr())
        _hint(built, values)

        def minimise(limit: float) -> tuple[cp_model.CpSolver, Any]:
            solver = cp_model.CpSolver()
            _parameters(solver, limit, workers)
            status = _run(solver, model, _Watcher("breaks", started, time_limit, progress), stop)
            phases.append(
                {
                    "phase": "breaks",
                    "status": solver.status_name(status),
                    "time_s": round(solver.wall_time, 3),
                }
            )
            return solver, status

        # Without optional meetings (with them the SAT search would keep one set of meetings
        # and prove nothing): a first short minimisation — CP-SAT's linear relaxation settles
        # some instances in seconds (`tic-13crafc`: 4 breaks in 3 s) where the SAT search
        # would have to refute every budget below the optimum — then the SAT break search.
        solver, status = cp_model.CpSolver(), cp_model.UNKNOWN
        use_sat = not built.weight_terms and (stop is None or not stop.is_set())
        if use_sat and SAT_FIRST_MINIMISATION > 0 and remaining() > 2:
            solver, status = minimise(min(SAT_FIRST_MINIMISATION, remaining() * 0.15))
            if status == cp_model.FEASIBLE:
                proven = max(proven, int(round(solver.best_objective_bound)))
                values = {key: bool(solver.boolean_value(var)) for key, var in built.x.items()}
                _hint(built, values)
        if use_sat and status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE) and remaining() > 2:
            sat_slots, sat_bound = _sat_phase(
                instance, built, fairness, lower, proven, remaining() * SAT_SHARE, stop,
                phases, report,
            )  # fmt: skip
            if sat_bound > proven:
                proven = sat_bound
                model.add(built.breaks_expr() >= proven)
            if sat_slots is not None:
                placements = [
                    Placement(meeting=m, slot=t) for m, t in enumerate(sat_slots) if t >= 0
                ]
                solution = _solution_from(instance, placements, fairness, phases, proven)
                if solution.breaks is not None and solution.breaks <= proven:
                    solution.bound, solution.status = solution.breaks, OPTIMAL
                    return finished(solution)
                # A schedule above the bound: the minimisation starts from it.
                values = {(m, t): sat_slots[m] == t for (m, t) in built.x}
                _hint(built, values)
        gap_one = gap_one and proven == sum(lower) + 1
        settled = status in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
        # When the bound is "everyone at its own bound, plus one", the minimisation gets a
        # first share; if it does not close the gap, one participant at a time is allowed one
        # more break (_one_more_break), then the minimisation resumes from its best schedule.
        if not settled:
            solver, status = minimise(remaining() * 0.35 if gap_one else remaining())
        if gap_one and status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE) and remaining() > 1:
            if status == cp_model.FEASIBLE:
                values = {key: bool(solver.boolean_value(var)) for key, var in built.x.items()}
            report("probe", f"recherche d'un planning à {proven} pauses")
            scanned = _one_more_break(
                instance,
                fairness,
                lower,
                weight_value if built.weight_terms else None,
                values,
                time.monotonic() + remaining() * 0.5,
                workers,
                stop,
                phases,
            )
            if scanned is not None:
                built, solver = scanned
                status = cp_model.OPTIMAL
            else:
                _hint(built, values)
                solver, status = minimise(remaining())
        if status == cp_model.INFEASIBLE:
            return _infeasible(
                instance, fairness, started, phases, explain, explain_infeasibility, remaining()
            )
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if values is None:
                return Solution(
                    status=UNKNOWN,
                    fairness=fairness,
                    phases=phases,
                    bound=proven,
                    solve_time_s=time.monotonic() - started,
                )
            # Nothing better than the schedule of the first phase (or the greedy one).
            placements = [Placement(meeting=m, slot=t) for (m, t), on in values.items() if on]
            solution = _solution_from(instance, placements, fairness, phases, proven)
            solution.optional_weight_bound = weight_bound if built.weight_terms else 0
            return finished(solution)
        proven = max(proven, int(round(solver.best_objective_bound)))
        found = (built, solver)
        optimal = status == cp_model.OPTIMAL
    else:
        optimal = True
    built, solver = found
    placements = [
        Placement(meeting=m, slot=t) for (m, t), var in built.x.items() if solver.boolean_value(var)
    ]
    placed = {p.meeting for p in placements}
    breaks_per_participant = [
        int(solver.value(expr)) if not isinstance(expr, int) else expr for expr in built.breaks_of
    ]
    breaks = sum(breaks_per_participant)
    if breaks <= proven:
        optimal, proven = True, breaks
    solution = Solution(
        status=OPTIMAL if optimal and optional_proven else FEASIBLE,
        placements=placements,
        breaks=breaks,
        bound=proven,
        breaks_per_participant=breaks_per_participant,
        unscheduled=[m for m in range(len(instance.meetings)) if m not in placed],
        optional_weight=sum(
            PRIORITY_WEIGHTS[instance.meetings[m].priority]
            for m in placed
            if not instance.meetings[m].required
        ),
        optional_weight_bound=weight_bound if built.weight_terms else 0,
        fairness=fairness,
        phases=phases,
    )
    return finished(solution)


def _solution_from(
    instance: Instance,
    placements: list[Placement],
    fairness: int | None,
    phases: list[dict[str, object]],
    bound: int,
) -> Solution:
    """A `feasible` solution from placements alone (breaks counted here, per block)."""
    block_of = {t: b for b, block in enumerate(instance.blocks()) for t in block}
    busy: list[list[int]] = [[] for _ in instance.participants]
    for placement in placements:
        for p in instance.meetings[placement.meeting].participants:
            busy[p].append(placement.slot)
    per_participant = []
    for slots in busy:
        ordered = sorted(slots)
        per_participant.append(
            sum(
                1
                for a, b in zip(ordered, ordered[1:], strict=False)
                if b - a > 1 and block_of[a] == block_of[b]
            )
        )
    placed = {p.meeting for p in placements}
    return Solution(
        status=FEASIBLE,
        placements=placements,
        breaks=sum(per_participant),
        bound=bound,
        breaks_per_participant=per_participant,
        unscheduled=[m for m in range(len(instance.meetings)) if m not in placed],
        optional_weight=sum(
            PRIORITY_WEIGHTS[instance.meetings[m].priority]
            for m in placed
            if not instance.meetings[m].required
        ),
        fairness=fairness,
        phases=phases,
    )


def _hint(built: ScheduleModel, values: dict[tuple[int, int], bool] | None) -> None:
    if values is None:
        return
    built.model.clear_hints()
    for key, var in built.x.items():
        built.model.add_hint(var, values.get(key, False))


def _infeasible(instance, fairness, started, phases, explain, explain_infeasibility, budget):
    explanation = (
        explain_infeasibility(instance, fairness, time_limit=min(30.0, budget)) if explain else []
    )
    return Solution(
        status=INFEASIBLE,
        fairness=fairness,
        phases=phases,
        explanation=explanation,
        solve_time_s=time.monotonic() - started,
    )
