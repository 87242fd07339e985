"""Progress roll-up of a plan: action → axis → plan. Pure Python, no Django import.

Rules (documented in docs/plans.md):

- An action counts for its own progress (0–100); a *realised* action counts for 100 whatever
  its recorded progress; an *abandoned* action is excluded (it neither lowers nor raises the
  progress: it is no longer part of what the city commits to).
- An axis's progress is the weighted mean of its counted actions. An action without a weight
  weighs 1; a weight of 0 keeps the action visible but makes it count for nothing.
- The plan's progress is the weighted mean of its axes that have a progress, an axis without a
  weight weighing 1.
- An axis with no counted action (empty, all abandoned, or all of weight 0) has no progress
  (None) and is left out of the plan's mean; a plan with no such axis has no progress (None).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

DONE = "done"
ABANDONED = "abandoned"


@dataclass(frozen=True)
class ActionInput:
    key: object
    status: str
    progress: int
    weight: Decimal | None = None


@dataclass(frozen=True)
class AxisInput:
    key: object
    actions: Sequence[ActionInput]
    weight: Decimal | None = None


@dataclass
class AxisProgress:
    key: object
    value: float | None
    counted: int
    excluded: int


@dataclass
class PlanProgress:
    value: float | None
    axes: dict[object, AxisProgress] = field(default_factory=dict)
    actions: dict[object, float | None] = field(default_factory=dict)


def action_value(status: str, progress: int) -> float | None:
    """The progress an action contributes: None when abandoned, 100 when realised."""
    if status == ABANDONED:
        return None
    if status == DONE:
        return 100.0
    return float(max(0, min(100, progress)))


def weighted_mean(items: Iterable[tuple[float | None, Decimal | None]]) -> float | None:
    """Mean of the values that are not None, a missing weight counting 1; None if nothing weighs."""
    total = Decimal("0")
    weights = Decimal("0")
    for value, weight in items:
        if value is None:
            continue
        w = Decimal("1") if weight is None else Decimal(weight)
        if w < 0:
            raise ValueError("weights cannot be negative")
        total += Decimal(str(value)) * w
        weights += w
    if weights == 0:
        return None
    return float(total / weights)


def plan_progress(axes: Sequence[AxisInput]) -> PlanProgress:
    result = PlanProgress(value=None)
    axis_items: list[tuple[float | None, Decimal | None]] = []
    for axis in axes:
        values = []
        excluded = 0
        for action in axis.actions:
            value = action_value(action.status, action.progress)
            result.actions[action.key] = value
            if value is None:
                excluded += 1
            values.append((value, action.weight))
        axis_value = weighted_mean(values)
        result.axes[axis.key] = AxisProgress(
            key=axis.key,
            value=axis_value,
            counted=len(axis.actions) - excluded,
            excluded=excluded,
        )
        axis_items.append((axis_value, axis.weight))
    result.value = weighted_mean(axis_items)
    return result
