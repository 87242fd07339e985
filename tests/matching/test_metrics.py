"""Metrics as defined by the benchmark README."""

import math

import pytest

from mediane.matching import metrics


def test_ndcg_uses_grades_as_gains_and_the_judged_ideal():
    grades = {"a": 3, "b": 2, "c": 1}
    assert metrics.ndcg_at(["a", "b", "c"], grades) == pytest.approx(1.0)
    dcg = 0 / math.log2(2) + 3 / math.log2(3) + 1 / math.log2(4)
    ideal = 3 + 2 / math.log2(3) + 1 / math.log2(4)
    assert metrics.ndcg_at(["x", "a", "c"], grades) == pytest.approx(dcg / ideal)


def test_ndcg_cuts_at_k():
    assert metrics.ndcg_at(["x"] * 10 + ["a"], {"a": 3}) == 0.0


def test_recall_and_reciprocal_rank():
    grades = {"a": 3, "b": 1, "z": 0}
    ranking = ["x", "b", "y"]
    assert metrics.recall_at(ranking, grades) == 0.5
    assert metrics.reciprocal_rank(ranking, grades) == 0.5
    assert metrics.reciprocal_rank(["z", "x"], grades) == 0.0


def test_evaluate_averages_over_judged_challenges_and_counts_missing_rankings_as_zero():
    qrels = {"c1": {"a": 3}, "c2": {"b": 2}}
    result = metrics.evaluate({"c1": ["a"]}, qrels)
    assert result == {"ndcg@10": 0.5, "recall@20": 0.5, "mrr": 0.5, "challenges": 2}


def test_percentile_nearest_rank():
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert metrics.percentile(values, 0.5) == 3.0
    assert metrics.percentile(values, 0.95) == 5.0
    assert metrics.percentile([], 0.5) == 0.0
