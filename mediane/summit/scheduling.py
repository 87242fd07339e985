"""The summit's side of the B2B scheduler: build an instance of `mediane.scheduling` from the
database, run it as a background task with its progress shown, store the meetings, let the
organisers move a meeting by hand (checked against every constraint) and publish.

Which meetings are asked for:
- an accepted direct request is a **required** meeting;
- a wish ("must meet" / "would like to meet") of either side is an **optional** meeting, of
  priority "must" when either side marked "must meet"; a "not interested" of either side, or
  a declined request, removes it;
- when a schedule is already published, its placed meetings keep their slot (fixed), so that
  agendas people have read do not shift; new meetings fill the remaining slots.

A participant can meet in the slots within their arrival and departure, in their half-day, not
marked unavailable and not overlapping a programme session they attend
(`services.available_slot_numbers`).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.permissions import require
from mediane.core.services import audit_record
from mediane.notifications.services import notify
from mediane.scheduling import model as sched
from mediane.summit.models import (
    Edition,
    Meeting,
    MeetingPriority,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
    MeetingWish,
    Registration,
    RequestStatus,
    RunStatus,
    ScheduleRun,
    WishLevel,
)
from mediane.summit.selectors import meetable
from mediane.summit.services import MAX_TIME_LIMIT, TOPIC, available_slot_numbers

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wanted:
    """A meeting asked for: the two registrations (smaller id first) and why."""

    first: int
    second: int
    priority: str
    request_id: int | None = None
    fixed_slot_id: int | None = None


@dataclass
class Built:
    instance: sched.Instance
    registrations: list[Registration]
    slots: list[MeetingSlot]
    tables: list[MeetingTable]
    wanted: list[Wanted]


def wanted_meetings(edition: Edition, registration_ids: set[int]) -> list[Wanted]:
    """The meetings asked for between `registration_ids`, required ones first."""
    pairs: dict[tuple[int, int], Wanted] = {}
    declined: set[tuple[int, int]] = set()
    for request in MeetingRequest.objects.filter(edition=edition):
        a, b = sorted((request.sender_id, request.recipient_id))  # type: ignore[attr-defined]
        if a not in registration_ids or b not in registration_ids:
            continue
        if request.status == RequestStatus.ACCEPTED:
            pairs[(a, b)] = Wanted(a, b, MeetingPriority.REQUIRED, request_id=request.pk)
        elif request.status == RequestStatus.DECLINED:
            declined.add((a, b))
    levels: dict[tuple[int, int], set[str]] = {}
    for author, target, level in MeetingWish.objects.filter(edition=edition).values_list(
        "author_id", "target_id", "level"
    ):
        if author in registration_ids and target in registration_ids:
            levels.setdefault(tuple(sorted((author, target))), set()).add(level)  # type: ignore[arg-type]
    for (a, b), marks in levels.items():
        if (a, b) in pairs or (a, b) in declined or WishLevel.NO in marks:
            continue
        priority = MeetingPriority.MUST if WishLevel.MUST in marks else MeetingPriority.WOULD
        pairs[(a, b)] = Wanted(a, b, priority)
    order = {MeetingPriority.REQUIRED: 0, MeetingPriority.MUST: 1, MeetingPriority.WOULD: 2}
    return sorted(pairs.values(), key=lambda w: (order[w.priority], w.first, w.second))  # type: ignore[index]


def _availability(
    edition: Edition, registrations: list[Registration], slots: list[MeetingSlot]
) -> dict[int, set[int]]:
    """Registration id -> numbers of the slots when they can meet (two queries in all)."""
    ids = [r.pk for r in registrations]
    unavailable: dict[int, set[int]] = {}
    for reg_id, slot_id in Registration.unavailable_slots.through.objects.filter(
        registration_id__in=ids
    ).values_list("registration_id", "meetingslot_id"):
        unavailable.setdefault(reg_id, set()).add(slot_id)
    sessions: dict[int, list[Any]] = {}
    through = Registration.attended_sessions.through
    for link in through.objects.filter(registration_id__in=ids).select_related("programmesession"):
        sessions.setdefault(link.registration_id, []).append(link.programmesession)
    return {r.pk: available_slot_numbers(r, slots, sessions, unavailable) for r in registrations}


def build(edition: Edition, *, keep_from: ScheduleRun | None = None) -> Built:
    """The scheduler instance of `edition` now. `keep_from`: a published run whose placed
    meetings keep their slot."""
    slots = list(MeetingSlot.objects.filter(edition=edition).order_by("starts_at"))
    tables = list(MeetingTable.objects.filter(edition=edition).order_by("number"))
    registrations = list(meetable(edition).select_related("user", "organisation").order_by("pk"))
    reg_ids = {r.pk for r in registrations}
    wanted = wanted_meetings(edition, reg_ids)
    if keep_from is not None:
        kept = {
            tuple(sorted((m.first_id, m.second_id))): m.slot_id  # type: ignore[attr-defined]
            for m in keep_from.meetings.filter(slot__isnull=False)  # type: ignore[attr-defined]
        }
        wanted = [
            Wanted(w.first, w.second, w.priority, w.request_id, kept.get((w.first, w.second)))
            for w in wanted
        ]
    available = _availability(edition, registrations, slots)
    slot_index = {slot.pk: i for i, slot in enumerate(slots)}
    reg_index = {r.pk: i for i, r in enumerate(registrations)}
    participants = tuple(
        sched.Participant(
            id=r.pk,
            name=r.display_name,
            unavailable=frozenset(
                i for i, slot in enumerate(slots) if slot.number not in available[r.pk]
            ),
        )
        for r in registrations
    )
    meetings = []
    for n, w in enumerate(wanted):
        fixed = slot_index.get(w.fixed_slot_id) if w.fixed_slot_id is not None else None
        if fixed is not None:
            # A kept meeting whose slot is no longer possible for one side is placed anew.
            a, b = participants[reg_index[w.first]], participants[reg_index[w.second]]
            if fixed in a.unavailable or fixed in b.unavailable:
                fixed = None
        meetings.append(
            sched.Meeting(
                id=n,
                participants=(reg_index[w.first], reg_index[w.second]),
                session=sched.ANY,
                priority=sched.WOULD if w.priority == MeetingPriority.WOULD else sched.MUST,
                required=w.priority == MeetingPriority.REQUIRED,
                fixed_slot=fixed,
            )
        )
    instance = sched.Instance(
        slots=tuple(
            sched.Slot(
                id=slot.number,
                day=slot.starts_at.date().isoformat(),
                session=sched.MORNING if slot.half_day == "am" else sched.AFTERNOON,
                start=slot.starts_at.isoformat(),
                end=slot.ends_at.isoformat(),
            )
            for slot in slots
        ),
        tables=tuple(t.number for t in tables),
        participants=participants,
        meetings=tuple(meetings),
        name=edition.slug,
    )
    return Built(instance, registrations, slots, tables, wanted)


# --- runs ----------------------------------------------------------------------------------------


@transaction.atomic
def schedule_run_start(
    *, actor: Any, edition: Edition, time_limit: int = 60, fairness: int | None = None
) -> ScheduleRun:
    """Queue a scheduler run (one at a time per edition); the worker runs it."""
    require(actor, "manage", edition)
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    if edition.runs.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():  # type: ignore[attr-defined]
        raise Conflict(_("Un calcul est déjà en cours pour cette édition."))
    if not 5 <= time_limit <= MAX_TIME_LIMIT:
        raise ValidationFailed(
            _("Durée de calcul invalide."),
            field_errors={"time_limit": [_("Entre 5 et %(n)s secondes.") % {"n": MAX_TIME_LIMIT}]},
        )
    fairness = edition.fairness if fairness is None else fairness
    if not 0 <= fairness <= 20:
        raise ValidationFailed(
            _("Écart de pauses invalide."), field_errors={"fairness": [_("Entre 0 et 20.")]}
        )
    if not edition.slots.exists() or not edition.tables.exists():  # type: ignore[attr-defined]
        raise Conflict(_("Définissez d'abord les créneaux et les tables de rendez-vous."))
    run = ScheduleRun.objects.create(
        edition=edition,
        started_by=actor,
        time_limit=time_limit,
        fairness=fairness,
        phase=_("En attente du processus de calcul…"),
    )
    audit_record(actor=actor, action="summit.schedule.start", obj=run)
    from mediane.summit.tasks import run_scheduler

    transaction.on_commit(lambda: run_scheduler.enqueue(run.pk))
    return run


def _progress_writer(run_id: int, time_limit: int):  # type: ignore[no-untyped-def]
    """A callback for the solver that writes the run's progress, at most twice a second."""
    started = time.monotonic()
    last = [0.0]

    def write(update: Any = None, *args: Any, **kwargs: Any) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5:
            return
        last[0] = now
        # The solver reports a Progress(phase, fraction, message); the fraction is of its time
        # limit, and a run may solve twice (see run_execute), so time is the better measure.
        message = getattr(update, "message", None) or (update if isinstance(update, str) else "")
        fraction = min(0.95, (now - started) / max(1, time_limit) * 0.9 + 0.05)
        try:
            ScheduleRun.objects.filter(pk=run_id).update(
                progress=fraction,
                phase=(_("Recherche du meilleur planning : %(step)s") % {"step": message})[:200]
                if message
                else _("Recherche du meilleur planning…"),
            )
        except Exception:  # progress is a courtesy: never let it stop the solver
            logger.warning("could not record the progress of run %s", run_id, exc_info=True)
        finally:
            from django.db import connection

            if threading.current_thread() is not threading.main_thread():
                connection.close()  # the solver's threads come and go: no connection left open

    return write


def run_execute(run_id: int) -> ScheduleRun:
    """Run the scheduler for a queued run (in the worker). A failure marks the run failed with
    its reason and leaves the meetings of earlier runs untouched."""
    from mediane.scheduling.solver import solve

    claimed = ScheduleRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
        progress=0.02,
        phase=_("Préparation des données…"),
    )
    run = ScheduleRun.objects.select_related("edition").get(pk=run_id)
    if not claimed:
        return run
    try:
        edition = run.edition
        keep = edition.published_run
        built = build(edition, keep_from=keep)
        # The solver calls `progress` from its own threads, which use their own database
        # connections: inside a caller's transaction (a test, a script) they would wait for its
        # locks, and nobody outside could see the progress anyway.
        in_transaction = transaction.get_connection().in_atomic_block
        progress = None if in_transaction else _progress_writer(run.pk, run.time_limit)
        solution = solve(
            built.instance, fairness=run.fairness, time_limit=run.time_limit, progress=progress
        )
        explanation = list(solution.explanation)
        if solution.status == sched.INFEASIBLE and any(m.required for m in built.instance.meetings):
            # The accepted requests cannot all be placed: say why, and still propose a draft
            # where they are the first optional meetings.
            relaxed = sched.Instance(
                slots=built.instance.slots,
                tables=built.instance.tables,
                participants=built.instance.participants,
                meetings=tuple(
                    sched.Meeting(
                        id=m.id,
                        participants=m.participants,
                        session=m.session,
                        priority=sched.MUST,
                        required=False,
                        fixed_slot=m.fixed_slot,
                    )
                    for m in built.instance.meetings
                ),
                name=built.instance.name,
            )
            solution = solve(
                relaxed, fairness=run.fairness, time_limit=run.time_limit, progress=progress
            )
            explanation = [
                _("Les demandes acceptées ne peuvent pas toutes être placées."),
                *explanation,
            ]
        if solution.status == sched.UNKNOWN and not solution.placements:
            ScheduleRun.objects.filter(pk=run_id).update(
                status=RunStatus.FAILED,
                finished_at=timezone.now(),
                solver_status=solution.status,
                requested=len(built.wanted),
                solve_seconds=solution.solve_time_s,
                error=_(
                    "Aucun planning trouvé en %(s)s secondes : relancez avec un temps de calcul "
                    "plus long."
                )
                % {"s": run.time_limit},
                phase=_("Aucun planning trouvé."),
            )
        else:
            _store(run, built, solution, explanation)
    except Exception as exc:  # the run must end with its reason, whatever went wrong
        logger.exception("scheduler run %s failed", run_id)
        ScheduleRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
            phase=_("Échec du calcul."),
        )
    run.refresh_from_db()
    return run


@transaction.atomic
def _store(
    run: ScheduleRun, built: Built, solution: sched.Solution, explanation: list[str]
) -> None:
    placements = {p.meeting: p for p in solution.placements}
    rows = []
    for n, w in enumerate(built.wanted):
        placement = placements.get(n)
        slot = built.slots[placement.slot] if placement else None
        table = (
            built.tables[placement.table]
            if placement is not None and placement.table is not None
            else None
        )
        rows.append(
            Meeting(
                run=run,
                edition=run.edition,
                first_id=w.first,
                second_id=w.second,
                priority=w.priority,
                request_id=w.request_id,
                slot=slot,
                table=table,
                fixed=w.fixed_slot_id is not None
                and slot is not None
                and slot.pk == w.fixed_slot_id,
            )
        )
    Meeting.objects.bulk_create(rows)
    required = [w for w in built.wanted if w.priority == MeetingPriority.REQUIRED]
    required_placed = sum(
        1
        for n, w in enumerate(built.wanted)
        if w.priority == MeetingPriority.REQUIRED and n in placements
    )
    ScheduleRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        finished_at=timezone.now(),
        progress=1.0,
        phase=_("Terminé."),
        solver_status=solution.status,
        requested=len(built.wanted),
        scheduled=len(placements),
        required_unscheduled=len(required) - required_placed,
        breaks=solution.breaks,
        bound=solution.bound,
        solve_seconds=solution.solve_time_s,
        explanation="\n".join(explanation),
    )


# --- review, moves, publication ------------------------------------------------------------------


def move_problems(meeting: Meeting, slot: MeetingSlot, table: MeetingTable | None) -> list[str]:
    """Why `meeting` cannot go to `slot` (and `table`), in French; empty when it can."""
    return _move_check(meeting, slot, table)[0]


def _move_check(
    meeting: Meeting, slot: MeetingSlot, table: MeetingTable | None
) -> tuple[list[str], set[int]]:
    """The problems of a move and the tables already taken on `slot` by other meetings of the
    run (five queries whatever the edition's size)."""
    problems: list[str] = []
    edition = meeting.edition
    if slot.edition_id != edition.pk:  # type: ignore[attr-defined]
        return [_("Ce créneau n'appartient pas à cette édition.")], set()
    if table is not None and table.edition_id != edition.pk:  # type: ignore[attr-defined]
        return [_("Cette table n'appartient pas à cette édition.")], set()
    sides = [meeting.first, meeting.second]
    slots = list(MeetingSlot.objects.filter(edition=edition))
    available = _availability(edition, sides, slots)
    others = list(
        Meeting.objects.filter(run_id=meeting.run_id, slot=slot)  # type: ignore[attr-defined]
        .exclude(pk=meeting.pk)
        .values_list("first_id", "second_id", "table_id")
    )
    busy = {reg_id for first, second, _table in others for reg_id in (first, second)}
    taken = {table_id for _first, _second, table_id in others if table_id is not None}
    for side in sides:
        if slot.number not in available[side.pk]:
            problems.append(
                _("%(name)s n'est pas disponible sur ce créneau.") % {"name": side.display_name}
            )
        if side.pk in busy:
            problems.append(
                _("%(name)s a déjà un rendez-vous sur ce créneau.") % {"name": side.display_name}
            )
    if table is not None and table.pk in taken:
        problems.append(_("Cette table est déjà occupée sur ce créneau."))
    if (
        table is None
        and not MeetingTable.objects.filter(edition=edition).exclude(pk__in=taken).exists()
    ):
        problems.append(_("Toutes les tables sont occupées sur ce créneau."))
    return problems, taken


@transaction.atomic
def meeting_move(
    *, actor: Any, meeting: Meeting, slot: MeetingSlot, table: MeetingTable | None = None
) -> Meeting:
    """Move a meeting by hand (organisers). Refused, with every reason, when it would break a
    constraint; once published, both participants are notified."""
    require(actor, "move", meeting)
    # One move of a run at a time: the checks below read the other meetings of the slot, so two
    # concurrent moves into one slot could each pass them (a participant or a table twice).
    ScheduleRun.objects.select_for_update().filter(pk=meeting.run_id).first()  # type: ignore[attr-defined]
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("edition", "run", "first__user", "second__user", "slot")
        .get(pk=meeting.pk)
    )
    if meeting.run.status != RunStatus.DONE:
        raise Conflict(_("Ce calcul n'est pas terminé."))
    problems, taken = _move_check(meeting, slot, table)
    if problems:
        raise ValidationFailed(" ".join(problems), field_errors={"slot": problems})
    if table is None:
        # Prefer a table one of the two already uses that day, else the first free one.
        used = list(
            Meeting.objects.filter(run_id=meeting.run_id, table__isnull=False)  # type: ignore[attr-defined]
            .filter(
                Q(first=meeting.first)
                | Q(second=meeting.first)
                | Q(first=meeting.second)
                | Q(second=meeting.second)
            )
            .values_list("table_id", flat=True)
        )
        free = MeetingTable.objects.filter(edition=meeting.edition).exclude(pk__in=taken)
        table = next((t for t in free if t.pk in used), None) or free.first()
    before = meeting.slot
    meeting.slot = slot
    meeting.table = table
    meeting.fixed = True
    meeting.moved_at = timezone.now()
    meeting.save(update_fields=["slot", "table", "fixed", "moved_at"])
    audit_record(
        actor=actor,
        action="summit.meeting.move",
        obj=meeting,
        changes={"from": str(before) if before else "", "to": str(slot), "table": str(table)},
    )
    if meeting.edition.published_run_id == meeting.run_id:  # type: ignore[attr-defined]
        _notify_changed(meeting.edition, [meeting.first, meeting.second], actor)
    return meeting


def _notify_changed(edition: Edition, registrations: list[Registration], actor: Any) -> None:
    notify(
        recipients=[r.user for r in registrations],
        topic=TOPIC,
        verb="agenda.changed",
        title=_("Votre agenda du sommet %(edition)s a changé.") % {"edition": edition.title},
        url=reverse("summit:agenda", args=[edition.slug]),
        actor=actor,
        target=edition,
    )


@transaction.atomic
def schedule_publish(*, actor: Any, run: ScheduleRun) -> ScheduleRun:
    """Publish a finished run: it becomes everyone's agenda. Participants whose meetings
    changed since the previous publication (or all, the first time) are notified."""
    require(actor, "publish", run)
    run = (
        ScheduleRun.objects.select_for_update(of=("self",)).select_related("edition").get(pk=run.pk)
    )
    edition = Edition.objects.select_for_update().get(pk=run.edition_id)  # type: ignore[attr-defined]
    if run.status != RunStatus.DONE:
        raise Conflict(_("Seul un calcul terminé peut être publié."))
    if edition.published_run_id == run.pk:  # type: ignore[attr-defined]
        raise Conflict(_("Ce planning est déjà publié."))

    def placed(r: ScheduleRun | None) -> dict[int, set[tuple[int, int, int | None]]]:
        per: dict[int, set[tuple[int, int, int | None]]] = {}
        if r is None:
            return per
        for m in r.meetings.filter(slot__isnull=False):  # type: ignore[attr-defined]
            key = (min(m.first_id, m.second_id), max(m.first_id, m.second_id), m.slot_id)
            for side in (m.first_id, m.second_id):
                per.setdefault(side, set()).add((*key[:2], key[2]))
        return per

    before = placed(edition.published_run)
    after = placed(run)
    changed_ids = [pk for pk in set(before) | set(after) if before.get(pk) != after.get(pk)]
    edition.published_run = run
    edition.schedule_published_at = timezone.now()
    edition.save(update_fields=["published_run", "schedule_published_at", "updated_at"])
    run.published_at = timezone.now()
    run.save(update_fields=["published_at", "updated_at"])
    audit_record(actor=actor, action="summit.schedule.publish", obj=run)
    people = list(Registration.objects.select_related("user").filter(pk__in=changed_ids))
    if people:
        notify(
            recipients=[r.user for r in people],
            topic=TOPIC,
            verb="agenda.published",
            title=_("Votre agenda de rendez-vous du sommet %(edition)s est publié.")
            % {"edition": edition.title},
            url=reverse("summit:agenda", args=[edition.slug]),
            actor=actor,
            target=edition,
        )
    return run
