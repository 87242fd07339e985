"""Break search with a SAT solver: "is there a schedule with at most B breaks?"

CP-SAT proves the lower bounds of the hard benchmark instances quickly but can stay far above
them with its schedules (`forum-13crafc`: 14–29 breaks found, optimum 1). A plain SAT solver
(CaDiCaL 1.9.5 through python-sat) answers the *decision* question "every meeting placed,
at most B breaks in all, at most `cap` per participant" in seconds on the same instances
(docs/benchmarks.md). `solve()` asks it for B = the proven lower bound, then B + 1, … (an
answer "no" proves the bound when the per-participant cap follows from the fairness bound),
so the first schedule found is optimal.

The encoding (one variable per meeting and possible slot, as the CP-SAT model):

* each meeting to place takes exactly one of its slots; a participant is in at most one
  meeting per slot; at most "number of tables" meetings per slot; precedences;
* `busy[p, t]` ⇔ p has a meeting at t; `later[p, t]` ⇔ p has a meeting at t or after, in the
  same block; a break starts at t when p is busy at t − 1, idle at t and busy later: the
  clause `¬busy[p, t−1] ∨ busy[p, t] ∨ ¬later[p, t+1] ∨ break[p, t]` forces the break
  literal, so the number of true break literals bounds the breaks from above (the caller
  counts the breaks of the schedule returned);
* at most `cap` break literals per participant (sequential counter), and a totalizer over all
  of them whose outputs are assumed false to ask for "at most B" (one incremental solver
  keeps what it learnt from B to B + 1);
* implied constraints, chosen per member of the portfolio (`PORTFOLIO`, see
  docs/scheduling.md): each participant busy in exactly as many slots as it has meetings
  (both members), at most 2 × tables participants busy per slot (the second only: the files
  with fewer tables need it, it slows the others).

python-sat holds the GIL while solving, so every member runs in its own process
(`python -m mediane.scheduling.satsearch`, its arguments in JSON on its standard input);
the parent reads their answers, watches the time limit and the `stop` event, and ends them.
"""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from .model import Instance

# The encoding is skipped above this many (meeting, slot) pairs or this many clauses of the
# per-slot table counters (meetings per slot × tables): the large summit (3,000 meetings,
# 32 slots, 80 tables) stays with CP-SAT alone.
MAX_PAIRS = 40_000
MAX_TABLE_COUNTER = 1_500_000
# Conflicts per call of the SAT solver: between two calls the member checks the time.
CONFLICTS_PER_CALL = 5_000
SOLVER_NAME = "cadical195"


@dataclass(frozen=True)
class Member:
    """One configuration of the portfolio."""

    busy_count: bool = False  # each participant busy in as many slots as it has meetings
    slot_count: bool = False  # at most 2 × tables participants busy per slot
    first_high: bool = False  # first a schedule within the largest budget, then in order


PORTFOLIO = (
    Member(busy_count=True),
    Member(busy_count=True, slot_count=True, first_high=True),
)


@dataclass
class Outcome:
    """What `search` learnt: the best schedule found (slot per meeting, -1 if not placed),
    its break budget, and the largest budget proved impossible (-1 when none)."""

    slots: list[int] | None = None
    budget: int | None = None
    refuted: int = -1
    members: int = 0
    seconds: float = 0.0


def available(instance: Instance, domains: list[list[int]], placed: list[int]) -> bool:
    """True when python-sat is installed and the instance is small enough to encode."""
    try:
        import pysat.solvers  # noqa: F401
    except ImportError:  # pragma: no cover - a dependency; absent only in odd installs
        return False
    pairs = sum(len(domains[m]) for m in placed)
    per_slot: dict[int, int] = {}
    for m in placed:
        for t in domains[m]:
            per_slot[t] = per_slot.get(t, 0) + 1
    counters = sum(n * len(instance.tables) for n in per_slot.values())
    return pairs <= MAX_PAIRS and counters <= MAX_TABLE_COUNTER


def encode(
    instance: Instance,
    domains: list[list[int]],
    placed: list[int],
    caps: list[int | None],
    member: Member = Member(),
) -> tuple[list[list[int]], dict[tuple[int, int], int], list[int], int]:
    """Clauses, the variable of each (meeting, slot), the break literals, the last variable."""
    from pysat.card import CardEnc, EncType
    from pysat.formula import IDPool

    pool = IDPool()
    clauses: list[list[int]] = []

    def at_most(lits: list[int], bound: int) -> None:
        if len(lits) <= bound:
            return
        encoding = EncType.pairwise if bound == 1 and len(lits) <= 6 else EncType.seqcounter
        clauses.extend(CardEnc.atmost(lits, bound, vpool=pool, encoding=encoding).clauses)

    def exactly(lits: list[int], bound: int) -> None:
        if bound > len(lits):
            clauses.append([])  # fewer possible slots than meetings: no schedule
            return
        if bound == len(lits):
            clauses.extend([lit] for lit in lits)
            return
        encoding = EncType.pairwise if bound == 1 and len(lits) <= 6 else EncType.seqcounter
        clauses.extend(CardEnc.equals(lits, bound, vpool=pool, encoding=encoding).clauses)

    x: dict[tuple[int, int], int] = {}
    chosen = set(placed)
    for m in placed:
        lits = [pool.id(("x", m, t)) for t in domains[m]]
        for t, lit in zip(domains[m], lits, strict=True):
            x[m, t] = lit
        if not lits:
            clauses.append([])  # a meeting without a possible slot: unsatisfiable
            continue
        exactly(lits, 1)
    n_slots = len(instance.slots)
    tables = len(instance.tables)
    for t in range(n_slots):
        at_most([x[m, t] for m in placed if (m, t) in x], tables)
    for later in placed:
        for earlier in instance.meetings[later].after:
            if earlier not in chosen:
                continue
            for t in domains[later]:
                for u in domains[earlier]:
                    if u >= t:
                        clauses.append([-x[later, t], -x[earlier, u]])

    meetings_of = [[m for m in own if m in chosen] for own in instance.meetings_of()]
    two_party = all(len(instance.meetings[m].participants) == 2 for m in placed)
    busy_at: dict[int, list[int]] = {t: [] for t in range(n_slots)}
    break_lits: list[int] = []
    blocks = instance.blocks()
    for p, own in enumerate(meetings_of):
        busy: dict[int, int] = {}
        for t in range(n_slots):
            lits = [x[m, t] for m in own if (m, t) in x]
            if not lits:
                continue
            at_most(lits, 1)
            if len(lits) == 1:
                busy[t] = lits[0]
            else:
                var = pool.id(("busy", p, t))
                clauses.append([-var, *lits])
                clauses.extend([-lit, var] for lit in lits)
                busy[t] = var
            busy_at[t].append(busy[t])
        if member.busy_count and own:
            exactly(list(busy.values()), len(own))
        if len(own) < 2:
            continue
        own_breaks: list[int] = []
        for block in blocks:
            chain: dict[int, int | None] = {}  # "busy at t or later in the block"
            following: int | None = None
            for t in reversed(block):
                parts = [v for v in (busy.get(t), following) if v is not None]
                if len(parts) == 2:
                    var = pool.id(("later", p, t))
                    clauses.append([-var, *parts])
                    clauses.extend([-part, var] for part in parts)
                    following = var
                elif parts:
                    following = parts[0]
                chain[t] = following
            for i in range(1, len(block) - 1):
                t, before, after = block[i], busy.get(block[i - 1]), chain[block[i + 1]]
                if before is None or after is None:
                    continue
                starts = pool.id(("break", p, t))
                clause = [-before, -after, starts]
                if t in busy:
                    clause.append(busy[t])
                clauses.append(clause)
                own_breaks.append(starts)
        cap = caps[p]
        if cap is not None:
            at_most(own_breaks, cap)
        break_lits.extend(own_breaks)
    if member.slot_count and two_party:
        for lits in busy_at.values():
            at_most(lits, 2 * tables)
    return clauses, x, break_lits, pool.top


def _member(
    send: Callable[[tuple[str, int, list[int] | None]], None],
    instance: Instance,
    domains: list[list[int]],
    placed: list[int],
    caps: list[int | None],
    budgets: list[int],
    member: Member,
    seconds: float,
) -> None:
    """Runs in a child process: answers the budgets in order, sending ("sat", B, slots),
    ("unsat", B) or ("unknown", B) for each, until one is satisfiable or time is up."""
    from pysat.card import ITotalizer
    from pysat.solvers import Solver

    deadline = time.monotonic() + seconds
    clauses, x, break_lits, top = encode(instance, domains, placed, caps, member)

    def answer(solver: Any, assumptions: list[int]) -> bool | None:
        result = None
        while result is None and time.monotonic() < deadline:
            solver.conf_budget(CONFLICTS_PER_CALL)
            result = solver.solve_limited(assumptions=assumptions)
        return result

    def decode(solver: Any) -> list[int]:
        true = {lit for lit in solver.get_model() or [] if lit > 0}
        slots = [-1] * len(instance.meetings)
        for (m, t), var in x.items():
            if var in true:
                slots[m] = t
        return slots

    # One solver for every budget: a totalizer over the break literals whose outputs are
    # assumed false ("at most B"), so what is learnt for B serves B + 1.
    ubound = min(max(budgets) + 1, len(break_lits))
    totalizer = ITotalizer(lits=break_lits, ubound=ubound, top_id=top) if break_lits else None
    extra = totalizer.cnf.clauses if totalizer is not None else []
    # With `first_high`, a schedule within the largest budget first (quick: something to
    # start from if the exact budgets take too long), then the budgets in order.
    order = ([budgets[-1]] if member.first_high and len(budgets) > 1 else []) + budgets
    with Solver(name=SOLVER_NAME, bootstrap_with=clauses + extra) as solver:
        for index, budget in enumerate(order):
            assumptions = (
                [-totalizer.rhs[budget]]
                if totalizer is not None and budget < len(totalizer.rhs)
                else []
            )
            result = answer(solver, assumptions)
            if result is None:
                send(("unknown", budget, None))
                return
            if not result:
                send(("unsat", budget, None))
                continue
            send(("sat", budget, decode(solver)))
            if not (index == 0 and len(order) > len(budgets)):
                return


def _arguments_json(
    instance: Instance,
    domains: list[list[int]],
    placed: list[int],
    caps: list[int | None],
    budgets: list[int],
    member: Member,
    seconds: float,
) -> bytes:
    """A member's arguments as JSON, the instance in the documented format (`jsonio`)."""
    from .jsonio import dump_instance

    return json.dumps(
        {
            "instance": dump_instance(instance),
            "domains": domains,
            "placed": placed,
            "caps": caps,
            "budgets": budgets,
            "member": asdict(member),
            "seconds": seconds,
        }
    ).encode()


def _child() -> None:
    """Entry point of a member process (`python -m mediane.scheduling.satsearch`): reads its
    arguments (JSON) on standard input, writes one JSON line per answer."""
    from .jsonio import instance_from_dict

    data = json.loads(sys.stdin.buffer.read())
    out = sys.stdout

    def send(message: tuple[str, int, list[int] | None]) -> None:
        out.write(json.dumps(message) + "\n")
        out.flush()

    _member(
        send,
        instance_from_dict(data["instance"]),
        data["domains"],
        data["placed"],
        data["caps"],
        data["budgets"],
        Member(**data["member"]),
        data["seconds"],
    )


def search(
    instance: Instance,
    domains: list[list[int]],
    placed: list[int],
    caps: list[int | None],
    budgets: list[int],
    seconds: float,
    stop: threading.Event | None = None,
    portfolio: tuple[Member, ...] = PORTFOLIO,
    *,
    exact: bool = True,
) -> Outcome:
    """Ask every member of the portfolio, in its own process, for a schedule within the
    budgets (in increasing order); return the best schedule found and the largest budget
    proved impossible. Ends when a schedule is within the first budget, or within one more
    than a budget proved impossible (`exact`: the answers "impossible" are proofs), when
    every member is done, at `seconds`, or when `stop` is set."""
    started = time.monotonic()
    outcome = Outcome(members=len(portfolio))
    if not budgets or seconds <= 0.5:
        return outcome
    running: list[subprocess.Popen[bytes]] = []
    selector = selectors.DefaultSelector()
    try:
        for member in portfolio:
            # A fixed command: this interpreter and this module; nothing from outside.
            process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            running.append(process)
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(
                _arguments_json(instance, domains, placed, caps, budgets, member, seconds)
            )
            process.stdin.close()
            selector.register(process.stdout, selectors.EVENT_READ)
        deadline = started + seconds + 2.0

        def settled() -> bool:
            if outcome.budget is None:
                return False
            floor = max(budgets[0], outcome.refuted + 1) if exact else budgets[0]
            return outcome.budget <= floor

        while selector.get_map() and time.monotonic() < deadline and not settled():
            if stop is not None and stop.is_set():
                break
            for key, _ in selector.select(timeout=0.1):
                stream = key.fileobj
                line = stream.readline()  # type: ignore[union-attr]
                if not line:
                    selector.unregister(stream)
                    continue
                kind, budget, slots = json.loads(line)
                if kind == "sat":
                    if outcome.budget is None or budget < outcome.budget:
                        outcome.slots, outcome.budget = slots, budget
                elif kind == "unsat":
                    outcome.refuted = max(outcome.refuted, budget)
                else:
                    selector.unregister(stream)
    finally:
        selector.close()
        for process in running:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
    outcome.seconds = time.monotonic() - started
    return outcome


if __name__ == "__main__":
    _child()
