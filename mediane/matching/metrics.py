"""Ranking metrics of the matching benchmark (see its README): nDCG@10, recall@20, MRR.

Grades are used directly as gains; ranks start at 1; a challenge's ideal DCG uses its judged
grades sorted in decreasing order. MRR is the mean of 1 / rank of the first relevant result
(grade ≥ 1), 0 when none is ranked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg(gains: Sequence[float]) -> float:
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def ndcg_at(ranking: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg([grades.get(item, 0) for item in ranking[:k]]) / ideal


def recall_at(ranking: Sequence[str], grades: Mapping[str, int], k: int = 20) -> float:
    relevant = {item for item, grade in grades.items() if grade >= 1}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def reciprocal_rank(ranking: Sequence[str], grades: Mapping[str, int]) -> float:
    for rank, item in enumerate(ranking, start=1):
        if grades.get(item, 0) >= 1:
            return 1.0 / rank
    return 0.0


def evaluate(
    rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]
) -> dict[str, float]:
    """Mean nDCG@10, recall@20 and MRR over the judged challenges (a missing ranking is 0)."""
    judged = [cid for cid in qrels if qrels[cid]]
    if not judged:
        return {"ndcg@10": 0.0, "recall@20": 0.0, "mrr": 0.0, "challenges": 0}
    totals = {"ndcg@10": 0.0, "recall@20": 0.0, "mrr": 0.0}
    for cid in judged:
        ranking = rankings.get(cid, ())
        totals["ndcg@10"] += ndcg_at(ranking, qrels[cid])
        totals["recall@20"] += recall_at(ranking, qrels[cid])
        totals["mrr"] += reciprocal_rank(ranking, qrels[cid])
    result: dict[str, float] = {key: round(value / len(judged), 4) for key, value in totals.items()}
    result["challenges"] = len(judged)
    return result


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (`fraction` in 0..1) of `values`; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, math.ceil(fraction * len(ordered)) - 1)
    return ordered[index]
