"""Reader of the MiniZinc data files (`.dzn`) of the B2B scheduling benchmark.

The files of Bofill et al. (JAIR 2022) hold `nBusiness`, `nMeetings`, `nTables`,
`nTotalSlots`, `nMorningSlots`, `requested` (one row `p1, p2, session` per meeting; session 1 =
morning only, 2 = afternoon only, 3 = either), `forbidden` (per participant, a set of slots,
`{0}` for none), `fixed` (per meeting, a slot or 0), `precedences` (per meeting, the meetings
held strictly earlier), and the redundant `nMeetingsBusiness` and `meetingsxBusiness` (a dummy
`1` plus meeting numbers shifted by one), which are checked when present.

Every meeting of these files is required. Ids keep the file's numbering from 1.
"""

from __future__ import annotations

import re
from pathlib import Path

from .model import AFTERNOON, ANY, MORNING, Instance, InstanceError, Meeting, Participant, Slot

Value = int | list["Value"] | frozenset[int]

_TOKEN = re.compile(r"\s*(?:(\.\.)|(-?\d+)|([A-Za-z_][A-Za-z0-9_]*)|(\[\||\|\]|[\[\]{},;=|]))")
MAX_DZN_BYTES = 20_000_000


def _tokens(text: str) -> list[str]:
    text = "\n".join(line.split("%", 1)[0] for line in text.splitlines())
    tokens: list[str] = []
    position = 0
    end = len(text.rstrip())
    while position < end:
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            line = text.count("\n", 0, position) + 1
            excerpt = text[position : position + 20].strip()
            raise InstanceError(f"Fichier .dzn illisible ligne {line} : « {excerpt} ».")
        tokens.append(next(group for group in match.groups() if group is not None))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        lexeme = self.peek()
        if lexeme is None:
            raise InstanceError("Fichier .dzn incomplet : fin de fichier inattendue.")
        if expected is not None and lexeme != expected:
            raise InstanceError(f"Fichier .dzn : « {expected} » attendu, « {lexeme} » trouvé.")
        self.position += 1
        return lexeme

    def assignments(self) -> dict[str, Value]:
        values: dict[str, Value] = {}
        while self.peek() is not None:
            name = self.take()
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise InstanceError(f"Fichier .dzn : nom de paramètre attendu, « {name} » trouvé.")
            self.take("=")
            values[name] = self.value()
            self.take(";")
        return values

    def integer(self) -> int:
        lexeme = self.take()
        if not re.fullmatch(r"-?\d+", lexeme):
            raise InstanceError(f"Fichier .dzn : nombre attendu, « {lexeme} » trouvé.")
        return int(lexeme)

    def value(self) -> Value:
        lexeme = self.peek()
        if lexeme == "[|":
            return self.matrix()
        if lexeme == "[":
            self.take("[")
            items: list[Value] = []
            while self.peek() != "]":
                items.append(self.value())
                if self.peek() == ",":
                    self.take(",")
            self.take("]")
            return items
        if lexeme == "{":
            return self.set()
        return self.integer()

    def set(self) -> frozenset[int]:
        self.take("{")
        items: set[int] = set()
        while self.peek() != "}":
            low = self.integer()
            if self.peek() == "..":
                self.take("..")
                items.update(range(low, self.integer() + 1))
            else:
                items.add(low)
            if self.peek() == ",":
                self.take(",")
        self.take("}")
        return frozenset(items)

    def matrix(self) -> list[Value]:
        self.take("[|")
        rows: list[Value] = []
        row: list[Value] = []
        while True:
            lexeme = self.peek()
            if lexeme == "|]":
                self.take()
                if row:
                    rows.append(row)
                return rows
            if lexeme == "|":
                self.take()
                rows.append(row)
                row = []
                continue
            row.append(self.value())
            if self.peek() == ",":
                self.take(",")


def looks_like_dzn(text: str) -> bool:
    """True for MiniZinc data of this benchmark (used when the file name says nothing)."""
    return bool(re.search(r"^\s*nBusiness\s*=", text, flags=re.MULTILINE))


def _int(values: dict[str, Value], name: str, minimum: int = 0) -> int:
    if name not in values:
        raise InstanceError(f"Fichier .dzn : le paramètre « {name} » manque.")
    value = values[name]
    if not isinstance(value, int) or value < minimum:
        raise InstanceError(f"Fichier .dzn : « {name} » doit être un entier ≥ {minimum}.")
    return value


def _array(values: dict[str, Value], name: str, length: int, kind: type) -> list:
    if name not in values:
        raise InstanceError(f"Fichier .dzn : le paramètre « {name} » manque.")
    value = values[name]
    if not isinstance(value, list) or len(value) != length:
        raise InstanceError(f"Fichier .dzn : « {name} » doit avoir {length} éléments.")
    if not all(isinstance(item, kind) for item in value):
        what = "des ensembles { }" if kind is frozenset else "des entiers"
        raise InstanceError(f"Fichier .dzn : « {name} » doit contenir {what}.")
    return value


def parse_dzn(text: str, *, name: str = "") -> Instance:
    """Build an `Instance` from the text of a benchmark `.dzn` file."""
    values = _Parser(_tokens(text)).assignments()
    n_business = _int(values, "nBusiness")
    n_meetings = _int(values, "nMeetings")
    n_tables = _int(values, "nTables")
    n_slots = _int(values, "nTotalSlots", 1)
    n_morning = _int(values, "nMorningSlots")
    if n_morning > n_slots:
        raise InstanceError("Fichier .dzn : nMorningSlots dépasse nTotalSlots.")

    requested = values.get("requested")
    if not isinstance(requested, list) or len(requested) != n_meetings:
        raise InstanceError(f"Fichier .dzn : « requested » doit avoir {n_meetings} lignes.")
    sessions = {1: MORNING, 2: AFTERNOON, 3: ANY}
    rows: list[tuple[int, int, str]] = []
    for number, row in enumerate(requested, start=1):
        if not isinstance(row, list) or len(row) != 3 or not all(isinstance(v, int) for v in row):
            raise InstanceError(
                f"Fichier .dzn : la ligne {number} de « requested » doit avoir "
                "trois entiers (participant, participant, session)."
            )
        p1, p2, session = row
        for p in (p1, p2):
            if not 1 <= p <= n_business:  # type: ignore[operator]
                raise InstanceError(
                    f"Fichier .dzn : la rencontre {number} cite le participant "
                    f"{p}, hors de 1..{n_business}."
                )
        if p1 == p2:
            raise InstanceError(
                f"Fichier .dzn : la rencontre {number} réunit le participant {p1} avec lui-même."
            )
        if session not in sessions:
            raise InstanceError(
                f"Fichier .dzn : la rencontre {number} a la session {session} "
                "(1 matin, 2 après-midi, 3 indifférent)."
            )
        rows.append((p1 - 1, p2 - 1, sessions[session]))  # type: ignore[operator,index]

    forbidden = _array(values, "forbidden", n_business, frozenset)
    fixed = _array(values, "fixed", n_meetings, int)
    precedences = _array(values, "precedences", n_meetings, frozenset)

    participants = []
    for number, listed_slots in enumerate(forbidden, start=1):
        away = {s for s in listed_slots if s != 0}
        if any(not 1 <= s <= n_slots for s in away):
            raise InstanceError(
                f"Fichier .dzn : le participant {number} a un créneau interdit "
                f"hors de 1..{n_slots}."
            )
        participants.append(Participant(id=number, unavailable=frozenset(s - 1 for s in away)))

    meetings = []
    for index, (p1, p2, where) in enumerate(rows):
        slot = fixed[index]
        if slot != 0 and not 1 <= slot <= n_slots:
            raise InstanceError(
                f"Fichier .dzn : la rencontre {index + 1} est fixée au créneau "
                f"{slot}, hors de 1..{n_slots}."
            )
        earlier = sorted(precedences[index])
        if any(not 1 <= m <= n_meetings for m in earlier):
            raise InstanceError(
                f"Fichier .dzn : la rencontre {index + 1} a une précédence hors de 1..{n_meetings}."
            )
        meetings.append(
            Meeting(
                id=index + 1,
                participants=(p1, p2),
                session=where,
                required=True,
                fixed_slot=slot - 1 if slot else None,
                after=tuple(m - 1 for m in earlier),
            )
        )

    counts = [0] * n_business
    for p1, p2, _ in rows:
        counts[p1] += 1
        counts[p2] += 1
    if "nMeetingsBusiness" in values:
        declared = _array(values, "nMeetingsBusiness", n_business, int)
        for number, (have, said) in enumerate(zip(counts, declared, strict=True), start=1):
            if have != said:
                raise InstanceError(
                    f"Fichier .dzn : le participant {number} a {have} rencontres "
                    f"dans « requested » mais {said} dans nMeetingsBusiness."
                )
    if "meetingsxBusiness" in values:
        listed = _array(values, "meetingsxBusiness", n_business, frozenset)
        expected: list[set[int]] = [{1} for _ in range(n_business)]
        for index, (p1, p2, _) in enumerate(rows):
            expected[p1].add(index + 2)
            expected[p2].add(index + 2)
        for number, (wanted, listed_set) in enumerate(zip(expected, listed, strict=True), start=1):
            if wanted != set(listed_set):
                raise InstanceError(
                    f"Fichier .dzn : meetingsxBusiness du participant {number} "
                    "ne correspond pas à « requested »."
                )

    slots = tuple(
        Slot(id=s + 1, day=1, session=MORNING if s < n_morning else AFTERNOON)
        for s in range(n_slots)
    )
    return Instance(
        slots=slots,
        tables=tuple(range(1, n_tables + 1)),
        participants=tuple(participants),
        meetings=tuple(meetings),
        name=name,
    )


def load_dzn(source: str | Path) -> Instance:
    """Read a `.dzn` file (a path) or its text (a string holding `nBusiness = …`)."""
    if isinstance(source, Path) or (isinstance(source, str) and not looks_like_dzn(source)):
        path = Path(source)
        try:
            if path.stat().st_size > MAX_DZN_BYTES:
                raise InstanceError(f"Fichier trop gros (plus de {MAX_DZN_BYTES // 1_000_000} Mo).")
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InstanceError(f"Impossible de lire le fichier {path.name} : {error}.") from error
        return parse_dzn(text, name=path.name)
    return parse_dzn(source)
