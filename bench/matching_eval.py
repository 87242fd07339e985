"""Quality of the pure ranker on a benchmark directory, against the plain BM25 baseline.

    .venv/bin/python bench/matching_eval.py DIR [DIR...] [--folds 2 --repeats 10]

Prints, per directory, nDCG@10 / recall@20 / MRR of the ranker and of the baseline, and a
cross-validation of the main weights: a small grid is fitted on half of the challenges and
scored on the other half (random halves, repeated), so the figure is not one of tuning.
No database: the files are ranked in memory (the `bench-matching` command measures the
same through the import and recommendation services).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
from dataclasses import replace
from pathlib import Path

from mediane.matching import dataset, metrics
from mediane.matching.ranker import DEFAULT_WEIGHTS, Weights, bm25_baseline, rank

GRID = {
    "lexical": [0.5, 0.6, 0.7],
    "sectors": [0.1, 0.15, 0.25],
    "references": [0.05, 0.1, 0.2],
    "kind": [0.1, 0.3],
    "gate": [0.0, 0.25],
    "semantic": [0.0, 0.2, 0.4, 0.6],
}


def rankings(bench: dataset.BenchSet, weights: Weights | None) -> dict[str, list[str]]:
    candidates = [dataset.candidate_from(r) for r in bench.organisations]
    out = {}
    for record in bench.challenges:
        challenge = dataset.challenge_from(record)
        if weights is None:
            ranked = bm25_baseline(challenge, candidates)
        else:
            ranked = rank(challenge, candidates, weights=weights)
        out[str(challenge.id)] = [str(r.candidate.id) for r in ranked]
    return out


def grid() -> list[Weights]:
    keys = list(GRID)
    return [
        replace(DEFAULT_WEIGHTS, **dict(zip(keys, values, strict=True)))
        for values in itertools.product(*(GRID[k] for k in keys))
    ]


def cross_validate(bench: dataset.BenchSet, repeats: int, seed: int) -> dict[str, float]:
    """Fit the grid on a random half, score the best on the other half; mean over repeats."""
    all_rankings = {w: rankings(bench, w) for w in grid()}
    ids = sorted(bench.qrels)
    rng = random.Random(seed)
    scores: dict[str, list[float]] = {"ndcg@10": [], "recall@20": [], "mrr": []}
    for _ in range(repeats):
        rng.shuffle(ids)
        half = len(ids) // 2
        for fit, test in ((ids[:half], ids[half:]), (ids[half:], ids[:half])):
            fit_q = {c: bench.qrels[c] for c in fit}
            test_q = {c: bench.qrels[c] for c in test}
            best = max(
                all_rankings, key=lambda w: metrics.evaluate(all_rankings[w], fit_q)["ndcg@10"]
            )
            result = metrics.evaluate(all_rankings[best], test_q)
            for key in scores:
                scores[key].append(result[key])
    return {key: round(statistics.mean(values), 4) for key, values in scores.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directories", nargs="+")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-cv", action="store_true")
    args = parser.parse_args()
    for directory in args.directories:
        bench = dataset.load(directory)
        report = {
            "directory": Path(directory).name,
            "ranker": metrics.evaluate(rankings(bench, DEFAULT_WEIGHTS), bench.qrels),
            "baseline": metrics.evaluate(rankings(bench, None), bench.qrels),
        }
        if not args.no_cv:
            report["cross_validated"] = cross_validate(bench, args.repeats, args.seed)
        print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
