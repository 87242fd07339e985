"""Every rule of the pure-Python scoring (mediane/diagnostic/scoring.py)."""

from __future__ import annotations

import pytest

from mediane.diagnostic import scoring
from mediane.diagnostic.scoring import AnswerSpec, CityScores, QuestionSpec

BANDS = {"lt20k": [10, 20, 30, 40], "20k-50k": [50, 60, 70, 80]}
QUESTIONS = [
    QuestionSpec("1.1", "D1"),
    QuestionSpec("1.2", "D1"),
    QuestionSpec("2.1", "D2", kind="indicator", bands=BANDS),
    QuestionSpec("2.2", "D2"),
    QuestionSpec("2.4", "D2"),
    QuestionSpec("2.5", "D2", kind="personalisation", not_applicable={"non": ["2.2", "2.4"]}),
    QuestionSpec("3.1", "D3"),
    QuestionSpec("3.9", "D3", kind="personalisation", not_applicable={"non": ["3.1"]}),
]


@pytest.mark.parametrize(
    ("population", "band"),
    [
        (None, "20k-50k"),
        (0, "lt20k"),
        (19_999, "lt20k"),
        (20_000, "20k-50k"),
        (49_999, "20k-50k"),
        (50_000, "50k-100k"),
        (100_000, "gt100k"),
        (2_000_000, "gt100k"),
    ],
)
def test_size_bands_bounds_belong_to_the_upper_band(population, band):
    assert scoring.size_band(population) == band


@pytest.mark.parametrize(
    ("value", "level"),
    [(0, 1), (9.99, 1), (10, 2), (25, 3), (30, 4), (39, 4), (40, 5), (1000, 5)],
)
def test_indicator_value_to_level_higher_is_better(value, level):
    assert scoring.level_from_value(value, [10, 20, 30, 40]) == level


@pytest.mark.parametrize(("value", "level"), [(3, 1), (0, 2), (-5, 3), (-12, 4), (-20, 5)])
def test_indicator_value_to_level_lower_is_better(value, level):
    assert scoring.level_from_value(value, [0, -5, -10, -20], higher_is_better=False) == level


def test_indicator_needs_four_thresholds():
    with pytest.raises(ValueError):
        scoring.level_from_value(5, [1, 2, 3])


def test_indicator_bands_depend_on_the_city_size_band():
    question = QUESTIONS[2]
    answer = AnswerSpec(value=55)
    assert scoring.question_level(question, answer, "lt20k") == 5
    assert scoring.question_level(question, answer, "20k-50k") == 2
    # A band without its own thresholds uses the default band's.
    assert scoring.question_level(question, answer, "gt100k") == 2


def test_indicator_value_wins_over_the_level_given():
    assert scoring.question_level(QUESTIONS[2], AnswerSpec(level=1, value=80), "20k-50k") == 5
    assert scoring.question_level(QUESTIONS[2], AnswerSpec(level=3), "20k-50k") == 3


def test_dimension_mean_overall_mean_and_rounding():
    answers = {
        "1.1": AnswerSpec(level=2),
        "1.2": AnswerSpec(level=3),
        "2.1": AnswerSpec(value=65),  # level 3 in 20k-50k
        "2.2": AnswerSpec(level=4),
        "2.4": AnswerSpec(level=4),
        "2.5": AnswerSpec(choice="oui"),
        "3.1": AnswerSpec(level=1),
        "3.9": AnswerSpec(choice="oui"),
    }
    result = scoring.score(QUESTIONS, answers, band="20k-50k")
    assert result.dimensions == {"D1": 2.5, "D2": 3.67, "D3": 1.0}
    # Each dimension weighs the same, whatever its number of questions.
    assert result.overall == round((2.5 + 11 / 3 + 1) / 3, 2)
    assert result.complete and result.missing == []
    assert "2.5" not in result.question_levels  # personalisation is never scored


def test_not_applicable_questions_are_left_out_of_means_and_completeness():
    answers = {
        "1.1": AnswerSpec(level=2),
        "1.2": AnswerSpec(level=2),
        "2.1": AnswerSpec(level=5),
        "2.2": AnswerSpec(level=1),  # answered but not applicable: ignored
        "2.5": AnswerSpec(choice="non"),
        "3.1": AnswerSpec(level=3),
        "3.9": AnswerSpec(choice="oui"),
    }
    result = scoring.score(QUESTIONS, answers, band="20k-50k")
    assert result.not_applicable == {"2.2", "2.4"}
    assert result.dimensions["D2"] == 5.0
    assert result.complete  # 2.4 unanswered but not applicable
    assert result.progress["D2"] == (2, 2)  # 2.1 and the personalisation question


def test_a_wholly_not_applicable_dimension_has_no_score_and_does_not_count():
    answers = {
        "1.1": AnswerSpec(level=4),
        "1.2": AnswerSpec(level=4),
        "2.1": AnswerSpec(level=2),
        "2.5": AnswerSpec(choice="non"),
        "3.9": AnswerSpec(choice="non"),
    }
    result = scoring.score(QUESTIONS, answers, band="20k-50k")
    assert "D3" not in result.dimensions
    assert result.overall == 3.0  # (4 + 2) / 2, not (4 + 2 + 0) / 3
    assert result.complete


def test_missing_answers_make_the_diagnostic_incomplete():
    result = scoring.score(QUESTIONS, {"1.1": AnswerSpec(level=3)}, band="lt20k")
    assert not result.complete
    assert result.missing == ["1.2", "2.1", "2.2", "2.4", "2.5", "3.1", "3.9"]
    assert result.dimensions == {"D1": 3.0}
    assert scoring.score(QUESTIONS, {}, band="lt20k").overall is None


def test_spread_median_and_quartiles():
    s = scoring.spread([1, 2, 3, 4, 5])
    assert (s.q1, s.median, s.q3) == (2.0, 3.0, 4.0)
    s = scoring.spread([1.0, 2.0, 4.0, 5.0])
    assert (s.q1, s.median, s.q3) == (1.75, 3.0, 4.25)


def test_no_comparison_under_three_cities():
    assert not scoring.spread([2.0, 4.0]).available
    assert scoring.spread([2.0, 4.0]).count == 2
    assert scoring.spread([2.0, 3.0, 4.0]).available


def _row(city, year, band, overall, dims=None):
    return CityScores(city_id=city, year=year, band=band, overall=overall, dimensions=dims or {})


def test_peer_stats_use_the_latest_year_of_each_city_and_the_band():
    rows = [
        _row(1, 2024, "lt20k", 1.0, {"D1": 1.0}),
        _row(1, 2025, "lt20k", 3.0, {"D1": 3.0}),  # replaces 2024
        _row(2, 2025, "lt20k", 2.0, {"D1": 2.0}),
        _row(3, 2025, "lt20k", 4.0, {}),  # D1 not applicable for this city
        _row(4, 2025, "gt100k", 5.0, {"D1": 5.0}),
    ]
    band = scoring.peer_stats(rows, band="lt20k", dimension_codes=["D1"])
    assert band.count == 3 and band.available
    assert band.overall.median == 3.0
    # Only two cities have a D1 score in the band: no D1 figure.
    assert not band.dimensions["D1"].available
    network = scoring.peer_stats(rows, dimension_codes=["D1"])
    assert network.count == 4
    assert network.dimensions["D1"].median == 3.0
    small = scoring.peer_stats(rows, band="gt100k")
    assert small.count == 1 and not small.available and small.overall.median is None


def test_weakest_dimensions_and_progress():
    dims = {"D1": 3.0, "D2": 1.5, "D3": 2.0, "D4": 1.5}
    assert scoring.weakest(dims, count=3) == ["D2", "D4", "D3"]
    assert scoring.weakest({"D1": 2.0}, count=3) == ["D1"]
    assert scoring.progress_since({"D1": 3.0, "D2": 2.5}, {"D1": 2.25}) == {"D1": 0.75}
