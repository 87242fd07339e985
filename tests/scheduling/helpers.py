"""Small hand-made instances for the scheduling tests."""

from __future__ import annotations

from mediane.scheduling.model import Instance, Meeting, Participant, Slot


def slots(morning: int, afternoon: int = 0, days: int = 1) -> tuple[Slot, ...]:
    result = []
    for day in range(1, days + 1):
        for i in range(morning):
            result.append(Slot(id=f"d{day}m{i + 1}", day=day, session="morning"))
        for i in range(afternoon):
            result.append(Slot(id=f"d{day}a{i + 1}", day=day, session="afternoon"))
    return tuple(result)


def people(*names: str, unavailable: dict[str, set[int]] | None = None) -> tuple[Participant, ...]:
    unavailable = unavailable or {}
    return tuple(
        Participant(id=n, name=n.upper(), unavailable=frozenset(unavailable.get(n, ())))
        for n in names
    )


def meeting(ident: str, names: tuple[str, ...], pairs: str, **kwargs: object) -> Meeting:
    """`pairs` like "ab": participants by their one-letter names."""
    return Meeting(id=ident, participants=tuple(names.index(c) for c in pairs), **kwargs)


def instance(
    n_slots: tuple[Slot, ...],
    tables: int,
    names: str,
    meetings: list[tuple[str, dict]],
    unavailable: dict[str, set[int]] | None = None,
    breaks_within: str = "day",
) -> Instance:
    letters = tuple(names)
    return Instance(
        slots=n_slots,
        tables=tuple(f"T{i + 1}" for i in range(tables)),
        participants=people(*letters, unavailable=unavailable),
        meetings=tuple(
            meeting(f"m{i + 1}", letters, pairs, **kw) for i, (pairs, kw) in enumerate(meetings)
        ),
        name="test",
        breaks_within=breaks_within,
    )
