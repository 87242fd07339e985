"""Ranking of the answers from the jury's marks: plain Python, no Django import.

For each juror and answer, the juror's *total* is the weighted mean of the marks they gave
(0–5) over the criteria they marked, weighted by the criteria's weights. An answer's score is
the mean of its jurors' totals; the *spread* is the largest minus the smallest total (how much
the jurors disagree) and `stdev` their population standard deviation. Per-criterion means are
given for the detail. Ties are broken by the number of jurors (more is surer), then the id.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mark:
    juror_id: int
    answer_id: int
    criterion_id: int
    value: int


@dataclass
class RankedAnswer:
    answer_id: int
    score: float  # 0–5, mean over jurors of their weighted totals
    spread: float  # max − min of the jurors' totals
    stdev: float
    jurors: int
    juror_totals: dict[int, float] = field(default_factory=dict)
    criterion_means: dict[int, float] = field(default_factory=dict)
    rank: int = 0


def juror_total(marks: Iterable[Mark], weights: Mapping[int, int]) -> float | None:
    """Weighted mean of one juror's marks of one answer (criteria not marked are left out)."""
    weighted = total_weight = 0.0
    for mark in marks:
        weight = weights.get(mark.criterion_id, 0)
        weighted += weight * mark.value
        total_weight += weight
    return weighted / total_weight if total_weight else None


def rank_answers(
    marks: Iterable[Mark], weights: Mapping[int, int], answer_ids: Iterable[int] = ()
) -> list[RankedAnswer]:
    """Answers best first; `answer_ids` with no marks come last with a score of 0 and 0 jurors."""
    by_pair: dict[tuple[int, int], list[Mark]] = defaultdict(list)
    by_criterion: dict[tuple[int, int], list[int]] = defaultdict(list)
    for mark in marks:
        if mark.criterion_id not in weights:
            continue
        by_pair[(mark.answer_id, mark.juror_id)].append(mark)
        by_criterion[(mark.answer_id, mark.criterion_id)].append(mark.value)
    totals: dict[int, dict[int, float]] = defaultdict(dict)
    for (answer_id, juror_id), juror_marks in by_pair.items():
        total = juror_total(juror_marks, weights)
        if total is not None:
            totals[answer_id][juror_id] = total
    ranked: list[RankedAnswer] = []
    for answer_id in set(totals) | set(answer_ids):
        values = list(totals.get(answer_id, {}).values())
        if values:
            mean = sum(values) / len(values)
            spread = max(values) - min(values)
            stdev = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        else:
            mean = spread = stdev = 0.0
        ranked.append(
            RankedAnswer(
                answer_id=answer_id,
                score=round(mean, 4),
                spread=round(spread, 4),
                stdev=round(stdev, 4),
                jurors=len(values),
                juror_totals={j: round(t, 4) for j, t in totals.get(answer_id, {}).items()},
                criterion_means={
                    c: round(sum(v) / len(v), 4)
                    for (a, c), v in by_criterion.items()
                    if a == answer_id
                },
            )
        )
    ranked.sort(key=lambda r: (-r.score, -r.jurors, r.answer_id))
    for position, item in enumerate(ranked, start=1):
        item.rank = position
    return ranked
