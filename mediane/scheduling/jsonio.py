"""Médiane's JSON format for scheduling instances and solutions (see docs/scheduling.md).

`load_json` reads an instance (a path, a JSON string or an already decoded dict), checking every
field and reporting the first problem in French (`InstanceError`). `dump_instance` writes the
same format back. `dump_solution` turns a `Solution` into the JSON-ready output of
`mediane schedule`; `load_solution` reads it back (to check a schedule made elsewhere).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from .model import (
    ANY,
    BREAK_SCOPES,
    DAY,
    MEETING_SESSIONS,
    MUST,
    PRIORITIES,
    SESSIONS,
    STATUSES,
    Id,
    Instance,
    InstanceError,
    Meeting,
    Participant,
    Placement,
    Slot,
    Solution,
)

MAX_JSON_BYTES = 50_000_000


def _id(value: Any, where: str) -> Id:
    if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
        raise InstanceError(f"{where} : identifiant manquant ou invalide (texte ou entier).")
    return value


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise InstanceError(f"{where} : « {key} » doit être une liste.")
    return value


def _index(ids: dict[Id, int], value: Any, what: str, where: str) -> int:
    try:
        return ids[value]
    except (KeyError, TypeError):
        raise InstanceError(f"{where} : {what} « {value} » inconnu.") from None


def _unique(items: list[Any], what: str) -> dict[Id, int]:
    ids: dict[Id, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise InstanceError(f"{what} n° {index + 1} : un objet {{…}} est attendu.")
        identifier = _id(item.get("id"), f"{what} n° {index + 1}")
        if identifier in ids:
            raise InstanceError(f"{what} « {identifier} » : identifiant en double.")
        ids[identifier] = index
    return ids


def instance_from_dict(data: Any) -> Instance:
    """Build an `Instance` from decoded JSON."""
    if not isinstance(data, dict):
        raise InstanceError("Instance : un objet JSON {…} est attendu.")
    raw_slots = _list(data, "slots", "Instance")
    raw_participants = _list(data, "participants", "Instance")
    raw_meetings = _list(data, "meetings", "Instance")
    if not raw_slots:
        raise InstanceError("Instance : aucun créneau (« slots »).")
    slot_ids = _unique(raw_slots, "Créneau")
    participant_ids = _unique(raw_participants, "Participant")
    meeting_ids = _unique(raw_meetings, "Rencontre")

    slots = []
    for item in raw_slots:
        where = f"Créneau « {item['id']} »"
        session = item.get("session", "morning")
        if session not in SESSIONS:
            raise InstanceError(f"{where} : session « {session} » (morning ou afternoon).")
        for key in ("start", "end"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise InstanceError(f"{where} : « {key} » doit être un texte (« 09:00 »).")
        slots.append(
            Slot(
                id=item["id"],
                day=_id(item.get("day", 1), where),
                session=session,
                start=item.get("start"),
                end=item.get("end"),
            )
        )

    tables_value = data.get("tables")
    if isinstance(tables_value, int) and not isinstance(tables_value, bool) and tables_value >= 0:
        tables: tuple[Id, ...] = tuple(range(1, tables_value + 1))
    elif isinstance(tables_value, list):
        tables = tuple(_id(t, "Tables") for t in tables_value)
        if len(set(tables)) != len(tables):
            raise InstanceError("Tables : nom de table en double.")
    else:
        raise InstanceError("Instance : « tables » doit être un nombre ou une liste de noms.")

    participants = []
    for item in raw_participants:
        where = f"Participant « {item['id']} »"
        name = item.get("name", "")
        if not isinstance(name, str):
            raise InstanceError(f"{where} : « name » doit être un texte.")
        unavailable = frozenset(
            _index(slot_ids, s, "créneau", where) for s in _list(item, "unavailable", where)
        )
        participants.append(Participant(id=item["id"], name=name, unavailable=unavailable))

    meetings = []
    for item in raw_meetings:
        where = f"Rencontre « {item['id']} »"
        members = [
            _index(participant_ids, p, "participant", where)
            for p in _list(item, "participants", where)
        ]
        if len(members) < 2 or len(set(members)) != len(members):
            raise InstanceError(f"{where} : au moins deux participants distincts sont attendus.")
        session = item.get("session", ANY)
        if session not in MEETING_SESSIONS:
            raise InstanceError(f"{where} : session « {session} » (morning, afternoon ou any).")
        priority = item.get("priority", MUST)
        if priority not in PRIORITIES:
            raise InstanceError(f"{where} : priorité « {priority} » (must ou would).")
        required = item.get("required", False)
        if not isinstance(required, bool):
            raise InstanceError(f"{where} : « required » doit valoir true ou false.")
        fixed = item.get("fixed_slot")
        after = tuple(
            _index(meeting_ids, m, "rencontre", where) for m in _list(item, "after", where)
        )
        if meeting_ids[item["id"]] in after:
            raise InstanceError(f"{where} : ne peut pas se suivre elle-même.")
        meetings.append(
            Meeting(
                id=item["id"],
                participants=tuple(members),
                session=session,
                priority=priority,
                required=required,
                fixed_slot=None if fixed is None else _index(slot_ids, fixed, "créneau", where),
                after=after,
            )
        )
    name = data.get("name", "")
    scope = data.get("breaks_within", DAY)
    if scope not in BREAK_SCOPES:
        raise InstanceError(f"Instance : « breaks_within » vaut « {scope} » (day ou session).")
    return Instance(
        slots=tuple(slots),
        tables=tables,
        participants=tuple(participants),
        meetings=tuple(meetings),
        name=name if isinstance(name, str) else "",
        breaks_within=scope,
    )


def load_json(source: str | Path | dict[str, Any]) -> Instance:
    """Read an instance: a decoded dict, a JSON text (starting with `{`) or a file path."""
    if isinstance(source, dict):
        return instance_from_dict(source)
    if isinstance(source, str) and source.lstrip().startswith("{"):
        text, name = source, ""
    else:
        path = Path(source)
        try:
            if path.stat().st_size > MAX_JSON_BYTES:
                raise InstanceError(
                    f"Fichier trop gros (plus de {MAX_JSON_BYTES // 1_000_000} Mo)."
                )
            text, name = path.read_text(encoding="utf-8"), path.name
        except (OSError, UnicodeDecodeError) as error:
            raise InstanceError(f"Impossible de lire le fichier {path.name} : {error}.") from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InstanceError(
            f"JSON invalide ligne {error.lineno}, colonne {error.colno} : {error.msg}."
        ) from error
    instance = instance_from_dict(data)
    if not instance.name and name:
        instance = dataclasses.replace(instance, name=name)
    return instance


def dump_instance(instance: Instance) -> dict[str, Any]:
    """The instance in the JSON format read by `load_json`."""
    slot_id = [s.id for s in instance.slots]
    return {
        "name": instance.name,
        "breaks_within": instance.breaks_within,
        "slots": [
            {"id": s.id, "day": s.day, "session": s.session, "start": s.start, "end": s.end}
            for s in instance.slots
        ],
        "tables": list(instance.tables),
        "participants": [
            {"id": p.id, "name": p.name, "unavailable": [slot_id[s] for s in sorted(p.unavailable)]}
            for p in instance.participants
        ],
        "meetings": [
            {
                "id": m.id,
                "participants": [instance.participants[p].id for p in m.participants],
                "session": m.session,
                "priority": m.priority,
                "required": m.required,
                "fixed_slot": None if m.fixed_slot is None else slot_id[m.fixed_slot],
                "after": [instance.meetings[e].id for e in m.after],
            }
            for m in instance.meetings
        ],
    }


def dump_solution(instance: Instance, solution: Solution) -> dict[str, Any]:
    """The output of `mediane schedule`: ids of the instance, never indices."""
    meetings, slots, tables = instance.meetings, instance.slots, instance.tables
    return {
        "instance": instance.name,
        "status": solution.status,
        "fairness": solution.fairness,
        "breaks": solution.breaks,
        "bound": solution.bound,
        "scheduled": [
            {
                "meeting": meetings[p.meeting].id,
                "slot": slots[p.slot].id,
                "table": None if p.table is None else tables[p.table],
            }
            for p in sorted(solution.placements, key=lambda p: (p.slot, p.table or 0, p.meeting))
        ],
        "unscheduled": [meetings[m].id for m in solution.unscheduled],
        "breaks_per_participant": {
            str(instance.participants[p].id): n
            for p, n in enumerate(solution.breaks_per_participant)
        },
        "optional_weight": solution.optional_weight,
        "optional_weight_bound": solution.optional_weight_bound,
        "table_changes": solution.table_changes,
        "solve_time_s": round(solution.solve_time_s, 3),
        "explanation": list(solution.explanation),
    }


def load_solution(instance: Instance, data: Any) -> Solution:
    """Read back the output of `dump_solution` (ids → indices)."""
    if isinstance(data, str):
        data = json.loads(data)
    if not isinstance(data, dict) or data.get("status") not in STATUSES:
        raise InstanceError("Solution : objet JSON avec un « status » valide attendu.")
    meeting_ids = {m.id: i for i, m in enumerate(instance.meetings)}
    slot_ids = {s.id: i for i, s in enumerate(instance.slots)}
    table_ids = {t: i for i, t in enumerate(instance.tables)}
    placements = []
    for item in _list(data, "scheduled", "Solution"):
        if not isinstance(item, dict):
            raise InstanceError("Solution : chaque élément de « scheduled » doit être un objet.")
        table = item.get("table")
        placements.append(
            Placement(
                meeting=_index(meeting_ids, item.get("meeting"), "rencontre", "Solution"),
                slot=_index(slot_ids, item.get("slot"), "créneau", "Solution"),
                table=None if table is None else _index(table_ids, table, "table", "Solution"),
            )
        )
    per_participant = data.get("breaks_per_participant") or {}
    return Solution(
        status=data["status"],
        placements=placements,
        breaks=data.get("breaks"),
        bound=data.get("bound"),
        breaks_per_participant=[
            int(per_participant.get(str(p.id), 0)) for p in instance.participants
        ]
        if per_participant
        else [],
        unscheduled=[
            _index(meeting_ids, m, "rencontre", "Solution")
            for m in _list(data, "unscheduled", "Solution")
        ],
        optional_weight=int(data.get("optional_weight") or 0),
        optional_weight_bound=data.get("optional_weight_bound"),
        table_changes=data.get("table_changes"),
        solve_time_s=float(data.get("solve_time_s") or 0.0),
        fairness=data.get("fairness"),
        explanation=list(data.get("explanation") or []),
    )
