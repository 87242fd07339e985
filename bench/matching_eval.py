"""Quality of the pure ranker on a benchmark directory, against the plain BM25 baseline.

    .venv/bin/python bench/matching_eval.py DIR [DIR...] [--folds 2 --repeats 10]

Prints, per directory, nDCG@10 / recall@20 / MRR of the ranker and of the baseline, and a
cross-validation of the main weights: a small grid is fitted on half of the challenges and
scored on the other half (random halves, repeated), so the figure is not one of tuning.

`--reverse` measures the other list, challenges for an organisation (`rank_challenges`): the
challenges of all the directories given are the open calls, and every organisation with at
least one relevant challenge ranks all of them (its relevant ones are read from the same
judgements); per directory, the ranker with and without meaning, and the reversed plain BM25.
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
from mediane.matching.ranker import (
    BASELINE_WEIGHTS,
    DEFAULT_WEIGHTS,
    Weights,
    bm25_baseline,
    challenge_corpus,
    rank,
)
from mediane.matching.text import Thesaurus

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


def reverse(benches: dict[str, dataset.BenchSet]) -> dict[str, dict[str, dict[str, float]]]:
    """Challenges for an organisation: every directory's challenges pooled as the open calls;
    per directory, the metrics over its organisations that have a relevant challenge."""
    challenges = [dataset.challenge_from(r) for b in benches.values() for r in b.challenges]
    variants = {
        "ranker": (DEFAULT_WEIGHTS, None),
        "ranker_without_meaning": (replace(DEFAULT_WEIGHTS, semantic=0.0), None),
        "baseline": (BASELINE_WEIGHTS, Thesaurus()),
    }
    report: dict[str, dict[str, dict[str, float]]] = {name: {} for name in benches}
    for label, (weights, thesaurus) in variants.items():
        corpus = challenge_corpus(challenges, weights=weights, thesaurus=thesaurus)
        for name, bench in benches.items():
            ranked, judged = dataset.challenge_rankings(
                bench, corpus, weights=weights, thesaurus=thesaurus
            )
            result = metrics.evaluate(ranked, judged)
            result["organisations"] = result.pop("challenges")  # the queries counted
            report[name][label] = result
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directories", nargs="+")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-cv", action="store_true")
    parser.add_argument("--reverse", action="store_true", help="challenges for an organisation")
    args = parser.parse_args()
    if args.reverse:
        benches = {Path(d).name: dataset.load(d) for d in args.directories}
        for name, report in reverse(benches).items():
            print(json.dumps({"directory": name, "list": "challenges", **report}))
        return
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
