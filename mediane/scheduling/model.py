"""Data of a B2B meeting schedule: the instance to solve and the solution found.

Plain dataclasses, no Django import. Everything inside refers to slots, participants and
meetings by their **index** (position in the instance's tuples); the `id` fields keep the names
of the source file (numbers from 1 for MiniZinc `.dzn` files) and are only used on output.

Slots are in time order. Consecutive slots of the same day form a **block** (or of the same day
and session when `Instance.breaks_within` is `session`); a break is an idle run between two
meetings of a participant inside one block (see `docs/scheduling.md`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Id = int | str

MORNING = "morning"
AFTERNOON = "afternoon"
ANY = "any"
SESSIONS = (MORNING, AFTERNOON)
MEETING_SESSIONS = (MORNING, AFTERNOON, ANY)

DAY = "day"
SESSION = "session"
BREAK_SCOPES = (DAY, SESSION)

MUST = "must"
WOULD = "would"
PRIORITIES = (MUST, WOULD)
# Weight of a scheduled optional meeting in the second objective.
PRIORITY_WEIGHTS = {MUST: 3, WOULD: 1}

OPTIMAL = "optimal"
FEASIBLE = "feasible"
INFEASIBLE = "infeasible"
UNKNOWN = "unknown"
STATUSES = (OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN)


@dataclass(frozen=True)
class Slot:
    """A time slot. `day` and `session` group slots into blocks; times are free text."""

    id: Id
    day: Id = 1
    session: str = MORNING
    start: str | None = None
    end: str | None = None


@dataclass(frozen=True)
class Participant:
    """A participant (a business, an organisation). `unavailable`: slot indices."""

    id: Id
    name: str = ""
    unavailable: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Meeting:
    """A requested meeting between two (or more) participants (indices).

    `session`: `morning`, `afternoon` or `any`. `required`: must be scheduled, else the
    instance is infeasible. Optional meetings are scheduled when possible, weighted by
    `priority` (`must` = must meet, `would` = would like to meet). `fixed_slot`: a slot index
    the meeting must take. `after`: meetings (indices) that must be held strictly earlier.
    """

    id: Id
    participants: tuple[int, ...]
    session: str = ANY
    priority: str = MUST
    required: bool = False
    fixed_slot: int | None = None
    after: tuple[int, ...] = ()


@dataclass(frozen=True)
class Instance:
    """What to schedule: slots (in time order), tables, participants and meetings."""

    slots: tuple[Slot, ...]
    tables: tuple[Id, ...]
    participants: tuple[Participant, ...]
    meetings: tuple[Meeting, ...]
    name: str = ""
    # "day": idle slots between two meetings of the same day are a break, even around the
    # change of session (the benchmark's definition); "session": only within a session.
    breaks_within: str = DAY

    def blocks(self) -> list[list[int]]:
        """Runs of consecutive slots of one day (and session, see `breaks_within`), in order."""
        blocks: list[list[int]] = []
        previous: tuple[Id, str] | None = None
        for index, slot in enumerate(self.slots):
            key = (slot.day, slot.session if self.breaks_within == SESSION else "")
            if key != previous:
                blocks.append([])
                previous = key
            blocks[-1].append(index)
        return blocks

    def meetings_of(self) -> list[list[int]]:
        """For each participant, the indices of the meetings they take part in."""
        result: list[list[int]] = [[] for _ in self.participants]
        for index, meeting in enumerate(self.meetings):
            for participant in meeting.participants:
                result[participant].append(index)
        return result


@dataclass(frozen=True)
class Placement:
    """Where a scheduled meeting takes place: slot and table (indices)."""

    meeting: int
    slot: int
    table: int | None = None


@dataclass
class Solution:
    """What `solve` returns. Indices refer to the instance.

    `status`: `optimal` (every objective proven), `feasible` (a schedule, not proven best),
    `infeasible` (the required meetings cannot all be scheduled under the constraints and the
    fairness bound; `explanation` says why), `unknown` (no schedule within the time limit).
    `breaks`: total breaks of the schedule; `bound`: the best proven lower bound on it.
    """

    status: str
    placements: list[Placement] = field(default_factory=list)
    breaks: int | None = None
    bound: int | None = None
    breaks_per_participant: list[int] = field(default_factory=list)
    unscheduled: list[int] = field(default_factory=list)
    optional_weight: int = 0
    optional_weight_bound: int | None = None
    table_changes: int | None = None
    solve_time_s: float = 0.0
    fairness: int | None = None
    explanation: list[str] = field(default_factory=list)
    phases: list[dict[str, object]] = field(default_factory=list)

    @property
    def scheduled(self) -> int:
        return len(self.placements)


class InstanceError(ValueError):
    """A malformed or inconsistent instance file; the message is in French, for the user."""
