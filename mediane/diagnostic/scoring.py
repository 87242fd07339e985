"""Scoring of a diagnostic, in pure Python (no Django import) so every rule is tested alone.

Rules (documented in docs/diagnostic.md):

1. **Question level.** A level question is answered 1–5. An indicator question [K] is answered
   either with a level or with a value; a value is converted to a level by the bands of the
   city's size band (`level_from_value`): level 1 below the first threshold, then 2, 3, 4, 5 for
   each threshold reached (or, when lower is better, for each threshold not exceeded). When both
   are given, the value wins (it is the measured fact).
2. **Not applicable.** A personalisation question [P] is never scored; its answer may mark other
   questions not applicable (`not_applicable_codes`). Not-applicable questions are left out of
   every mean, answered or not.
3. **Dimension score** = arithmetic mean of the levels of its applicable answered questions,
   rounded to two decimals. A dimension whose questions are all not applicable (or none answered)
   has **no score**: it is absent from the result and left out of the overall score — it does not
   count as zero.
4. **Overall score** = mean of the dimension scores present (each dimension weighs the same
   whatever its number of questions). None when no dimension has a score.
5. **Complete**: every applicable scored question and every personalisation question answered.
6. **Peers.** Size bands by population: under 20,000; 20,000–50,000; 50,000–100,000; over
   100,000 (a bound belongs to the upper band). Figures (median, quartiles) are computed on the
   latest validated diagnostic of each city only, and **never on fewer than 3 cities**
   (`MIN_PEERS`): below that, no figure at all, so no city can be recognised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import mean

LEVEL_MIN = 1
LEVEL_MAX = 5

#: No anonymous comparison on fewer cities than this.
MIN_PEERS = 3

#: (code, lower bound included, upper bound excluded or None).
SIZE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("lt20k", 0, 20_000),
    ("20k-50k", 20_000, 50_000),
    ("50k-100k", 50_000, 100_000),
    ("gt100k", 100_000, None),
)
SIZE_BAND_CODES = tuple(code for code, _low, _high in SIZE_BANDS)
#: Used when the population is unknown: the band of most member cities.
DEFAULT_BAND = "20k-50k"


def size_band(population: int | None) -> str:
    """The size-band code of a population (DEFAULT_BAND when unknown)."""
    if population is None:
        return DEFAULT_BAND
    for code, low, high in SIZE_BANDS:
        if population >= low and (high is None or population < high):
            return code
    return DEFAULT_BAND


def level_from_value(
    value: float | Decimal, thresholds: Sequence[float], *, higher_is_better: bool = True
) -> int:
    """The level 1–5 of an indicator value given the four thresholds of levels 2, 3, 4 and 5.

    Higher is better: the thresholds ascend and level n is reached at threshold n (included).
    Lower is better: the thresholds descend and level n is reached at or below threshold n.
    """
    if len(thresholds) != LEVEL_MAX - LEVEL_MIN:
        raise ValueError("four thresholds are needed (levels 2 to 5)")
    number = float(value)
    level = LEVEL_MIN
    for index, threshold in enumerate(thresholds):
        reached = number >= threshold if higher_is_better else number <= threshold
        if reached:
            level = LEVEL_MIN + index + 1
    return level


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    dimension: str
    kind: str = "level"  # level | indicator | personalisation
    #: {band: [t2, t3, t4, t5]} for indicator questions.
    bands: Mapping[str, Sequence[float]] = field(default_factory=dict)
    higher_is_better: bool = True
    #: {choice: [codes made not applicable]} for personalisation questions.
    not_applicable: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerSpec:
    level: int | None = None
    value: float | Decimal | None = None
    choice: str = ""


@dataclass
class Result:
    question_levels: dict[str, int]
    not_applicable: set[str]
    dimensions: dict[str, float]
    overall: float | None
    #: {dimension: (answered applicable, applicable)} for progress.
    progress: dict[str, tuple[int, int]]
    complete: bool
    missing: list[str]


def not_applicable_codes(
    questions: Iterable[QuestionSpec], answers: Mapping[str, AnswerSpec]
) -> set[str]:
    """The codes that the personalisation answers mark not applicable."""
    codes: set[str] = set()
    for question in questions:
        if question.kind != "personalisation":
            continue
        answer = answers.get(question.code)
        if answer is not None and answer.choice:
            codes.update(question.not_applicable.get(answer.choice, ()))
    return codes


def question_level(question: QuestionSpec, answer: AnswerSpec | None, band: str) -> int | None:
    """The level of one answer: the indicator value through the bands, else the level given."""
    if answer is None or question.kind == "personalisation":
        return None
    if question.kind == "indicator" and answer.value is not None:
        thresholds = question.bands.get(band) or question.bands.get(DEFAULT_BAND)
        if thresholds:
            return level_from_value(
                answer.value, thresholds, higher_is_better=question.higher_is_better
            )
    if answer.level is not None and LEVEL_MIN <= answer.level <= LEVEL_MAX:
        return answer.level
    return None


def _round(number: float) -> float:
    return float(Decimal(str(number)).quantize(Decimal("0.01")))


def score(
    questions: Sequence[QuestionSpec], answers: Mapping[str, AnswerSpec], *, band: str
) -> Result:
    """Scores of a diagnostic: question levels, dimension means, overall mean, progress."""
    na = not_applicable_codes(questions, answers)
    levels: dict[str, int] = {}
    by_dimension: dict[str, list[int]] = {}
    progress: dict[str, tuple[int, int]] = {}
    missing: list[str] = []
    for question in questions:
        done, total = progress.get(question.dimension, (0, 0))
        if question.kind == "personalisation":
            answered = bool((answers.get(question.code) or AnswerSpec()).choice)
            progress[question.dimension] = (done + answered, total + 1)
            if not answered:
                missing.append(question.code)
            continue
        if question.code in na:
            progress.setdefault(question.dimension, (done, total))
            continue
        level = question_level(question, answers.get(question.code), band)
        progress[question.dimension] = (done + (level is not None), total + 1)
        if level is None:
            missing.append(question.code)
            continue
        levels[question.code] = level
        by_dimension.setdefault(question.dimension, []).append(level)
    dimensions = {code: _round(mean(values)) for code, values in by_dimension.items() if values}
    overall = _round(mean(dimensions.values())) if dimensions else None
    return Result(
        question_levels=levels,
        not_applicable=na,
        dimensions=dimensions,
        overall=overall,
        progress=progress,
        complete=not missing,
        missing=missing,
    )


@dataclass(frozen=True)
class Spread:
    """Median and quartiles of a group of cities, or nothing when the group is too small."""

    count: int
    q1: float | None = None
    median: float | None = None
    q3: float | None = None

    @property
    def available(self) -> bool:
        return self.median is not None


def _quantile(ordered: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (the 'inclusive' method)."""
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def spread(values: Iterable[float], *, minimum: int = MIN_PEERS) -> Spread:
    """Median and quartiles of `values`; none of them under `minimum` values."""
    ordered = sorted(values)
    if len(ordered) < minimum:
        return Spread(count=len(ordered))
    return Spread(
        count=len(ordered),
        q1=_round(_quantile(ordered, 0.25)),
        median=_round(_quantile(ordered, 0.5)),
        q3=_round(_quantile(ordered, 0.75)),
    )


@dataclass(frozen=True)
class CityScores:
    """The latest validated diagnostic of one city, as the comparison sees it."""

    city_id: int
    year: int
    band: str
    overall: float | None
    dimensions: Mapping[str, float]


def latest_per_city(rows: Iterable[CityScores]) -> list[CityScores]:
    """Keep only the latest year of each city."""
    latest: dict[int, CityScores] = {}
    for row in rows:
        kept = latest.get(row.city_id)
        if kept is None or row.year > kept.year:
            latest[row.city_id] = row
    return list(latest.values())


@dataclass
class PeerStats:
    """Spreads of the overall score and of each dimension, for one group of cities."""

    count: int
    overall: Spread
    dimensions: dict[str, Spread]

    @property
    def available(self) -> bool:
        return self.count >= MIN_PEERS


def peer_stats(
    rows: Iterable[CityScores],
    *,
    band: str | None = None,
    dimension_codes: Sequence[str] = (),
    minimum: int = MIN_PEERS,
) -> PeerStats:
    """Figures of the cities of `band` (all bands when None), latest year of each city only.

    A dimension's spread counts only the cities with a score for it, and is hidden under
    `minimum` of them, like the overall one.
    """
    group = [row for row in latest_per_city(rows) if band is None or row.band == band]
    overall = spread((row.overall for row in group if row.overall is not None), minimum=minimum)
    codes = list(dimension_codes) or sorted({code for row in group for code in row.dimensions})
    dimensions = {
        code: spread(
            (row.dimensions[code] for row in group if code in row.dimensions), minimum=minimum
        )
        for code in codes
    }
    return PeerStats(count=len(group), overall=overall, dimensions=dimensions)


def weakest(dimensions: Mapping[str, float], *, count: int = 3) -> list[str]:
    """The `count` lowest dimensions (ties: the earlier code first); fewer if fewer are scored."""
    ranked = sorted(dimensions.items(), key=lambda item: (item[1], item[0]))
    return [code for code, _value in ranked[:count]]


def progress_since(current: Mapping[str, float], previous: Mapping[str, float]) -> dict[str, float]:
    """Change of each dimension scored both years."""
    return {code: _round(current[code] - previous[code]) for code in current if code in previous}
