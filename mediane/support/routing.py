"""Routing of a support request to experts: a pure function, no Django import.

Each expert gets a score = topic × territory, or is left out:

- **language**: the expert must speak the request's language (else left out);
- **topic**: the share of the wanted skills the expert has; with no skill in common, 0.3 when a
  sector is shared (else left out); with no skill wanted, 1.0 for a shared sector, 0.5 otherwise;
- **territory**: the closest level at which one of the territories the expert serves meets the
  request's territory — the same territory 1.0, the same intercommunality (EPCI/MRC) 0.8, the
  same département 0.6, the same region 0.4, the same country 0.2; no common level: left out.

Reasons are returned as `(code, detail)` pairs so the caller writes them in the reader's
language. The order is the score, then the expert's name, then the id (stable).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

#: Factor of each territorial level, closest first.
TERRITORY_FACTORS: dict[str, float] = {
    "same": 1.0,
    "grouping": 0.8,
    "departement": 0.6,
    "region": 0.4,
    "country": 0.2,
}
SECTOR_ONLY_FACTOR = 0.3
NO_SKILL_WANTED_FACTOR = 0.5


@dataclass(frozen=True)
class RequestProfile:
    language: str
    #: (territory id, level) from the request's territory up to its country, closest first;
    #: level is one of TERRITORY_FACTORS' keys.
    territory_chain: tuple[tuple[int, str], ...]
    skills: frozenset[int] = frozenset()
    sectors: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ExpertProfile:
    id: int
    name: str
    languages: frozenset[str]
    #: Ids of the territories the expert serves and of all their enclosing territories.
    territories: frozenset[int]
    skills: frozenset[int] = frozenset()
    sectors: frozenset[int] = frozenset()
    skill_names: dict[int, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Match:
    expert_id: int
    score: float
    reasons: tuple[tuple[str, str], ...]


def territory_level(request: RequestProfile, expert: ExpertProfile) -> str | None:
    for territory_id, level in request.territory_chain:
        if territory_id in expert.territories:
            return level
    return None


def score_expert(request: RequestProfile, expert: ExpertProfile) -> Match | None:
    """The expert's match for the request, or None when the expert is left out."""
    if request.language not in expert.languages:
        return None
    reasons: list[tuple[str, str]] = [("language", request.language)]
    if request.skills:
        common = request.skills & expert.skills
        if common:
            topic = len(common) / len(request.skills)
            names = sorted(expert.skill_names.get(pk, str(pk)) for pk in common)
            reasons.append(("skills", ", ".join(names)))
        elif request.sectors & expert.sectors:
            topic = SECTOR_ONLY_FACTOR
            reasons.append(("sector", ""))
        else:
            return None
    elif request.sectors & expert.sectors:
        topic = 1.0
        reasons.append(("sector", ""))
    else:
        topic = NO_SKILL_WANTED_FACTOR
    level = territory_level(request, expert)
    if level is None:
        return None
    reasons.append(("territory", level))
    return Match(expert.id, round(topic * TERRITORY_FACTORS[level], 4), tuple(reasons))


def rank_experts(
    request: RequestProfile,
    experts: Iterable[ExpertProfile],
    *,
    exclude: Iterable[int] = (),
    limit: int | None = None,
) -> list[Match]:
    """The matching experts, best first, leaving out `exclude` (already offered)."""
    left_out = set(exclude)
    scored = []
    for expert in experts:
        if expert.id in left_out:
            continue
        match = score_expert(request, expert)
        if match is not None and match.score > 0:
            scored.append((match, expert.name))
    scored.sort(key=lambda pair: (-pair[0].score, pair[1], pair[0].expert_id))
    found = [match for match, _name in scored]
    return found if limit is None else found[:limit]
