"""Ranking maths (pure Python): weighted means per juror, mean over jurors, spread."""

from __future__ import annotations

import pytest

from mediane.market.ranking import Mark, juror_total, rank_answers

WEIGHTS = {1: 30, 2: 10}  # criterion id -> weight


def marks(juror, answer, values):
    return [Mark(juror, answer, criterion, value) for criterion, value in values.items()]


def test_juror_total_is_the_weighted_mean():
    assert juror_total(marks(1, 1, {1: 4, 2: 0}), WEIGHTS) == pytest.approx(3.0)
    assert juror_total(marks(1, 1, {2: 5}), WEIGHTS) == pytest.approx(5.0)  # only marked criteria
    assert juror_total([], WEIGHTS) is None


def test_rank_with_mean_spread_and_stdev():
    data = (
        marks(1, 10, {1: 5, 2: 5})  # juror 1: 5.0
        + marks(2, 10, {1: 3, 2: 1})  # juror 2: (90 + 10) / 40 = 2.5
        + marks(1, 20, {1: 4, 2: 4})  # 4.0
        + marks(2, 20, {1: 4, 2: 4})  # 4.0
    )
    ranked = rank_answers(data, WEIGHTS, answer_ids=[10, 20, 30])
    assert [r.answer_id for r in ranked] == [20, 10, 30]
    first, second, last = ranked
    assert (first.score, first.spread, first.stdev, first.jurors) == (4.0, 0.0, 0.0, 2)
    assert second.score == pytest.approx(3.75)
    assert second.spread == pytest.approx(2.5)
    assert second.stdev == pytest.approx(1.25)
    assert second.juror_totals == {1: 5.0, 2: 2.5}
    assert second.criterion_means == {1: 4.0, 2: 3.0}
    assert (last.score, last.jurors, last.rank) == (0.0, 0, 3)
    assert [r.rank for r in ranked] == [1, 2, 3]


def test_ties_prefer_more_jurors_then_lower_id():
    data = marks(1, 5, {1: 4}) + marks(1, 6, {1: 4}) + marks(2, 6, {1: 4}) + marks(1, 4, {1: 4})
    assert [r.answer_id for r in rank_answers(data, WEIGHTS)] == [6, 4, 5]


def test_marks_on_unknown_criteria_are_ignored():
    ranked = rank_answers(marks(1, 1, {1: 2, 99: 5}), WEIGHTS)
    assert ranked[0].score == 2.0
