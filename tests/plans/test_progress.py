from decimal import Decimal

import pytest

from mediane.plans.progress import (
    ActionInput,
    AxisInput,
    action_value,
    plan_progress,
    weighted_mean,
)


def a(key, status="in_progress", progress=0, weight=None):
    return ActionInput(key=key, status=status, progress=progress, weight=weight)


def test_action_value_rules():
    assert action_value("in_progress", 40) == 40.0
    assert action_value("done", 10) == 100.0
    assert action_value("abandoned", 80) is None
    assert action_value("upcoming", 150) == 100.0


def test_unweighted_mean_of_actions_and_axes():
    result = plan_progress(
        [
            AxisInput(key=1, actions=[a(1, progress=20), a(2, progress=60)]),
            AxisInput(key=2, actions=[a(3, status="done")]),
        ]
    )
    assert result.axes[1].value == pytest.approx(40.0)
    assert result.axes[2].value == pytest.approx(100.0)
    assert result.value == pytest.approx(70.0)


def test_weights_of_actions_and_axes():
    result = plan_progress(
        [
            AxisInput(
                key=1,
                weight=Decimal("3"),
                actions=[a(1, progress=0, weight=Decimal("3")), a(2, progress=100)],
            ),
            AxisInput(key=2, weight=Decimal("1"), actions=[a(3, progress=0)]),
        ]
    )
    # Axis 1: (0*3 + 100*1) / 4 = 25; plan: (25*3 + 0*1) / 4 = 18.75
    assert result.axes[1].value == pytest.approx(25.0)
    assert result.value == pytest.approx(18.75)


def test_abandoned_actions_are_excluded():
    result = plan_progress(
        [AxisInput(key=1, actions=[a(1, progress=50), a(2, status="abandoned", progress=0)])]
    )
    assert result.axes[1].value == pytest.approx(50.0)
    assert result.axes[1].counted == 1
    assert result.axes[1].excluded == 1
    assert result.actions[2] is None


def test_empty_axes_are_left_out_and_an_empty_plan_has_no_progress():
    result = plan_progress(
        [
            AxisInput(key=1, actions=[]),
            AxisInput(key=2, actions=[a(1, status="abandoned")]),
            AxisInput(key=3, actions=[a(2, progress=30)]),
        ]
    )
    assert result.axes[1].value is None
    assert result.axes[2].value is None
    assert result.value == pytest.approx(30.0)
    assert plan_progress([]).value is None
    assert plan_progress([AxisInput(key=1, actions=[])]).value is None


def test_zero_weight_counts_for_nothing():
    assert weighted_mean([(10.0, Decimal("0")), (50.0, None)]) == pytest.approx(50.0)
    assert weighted_mean([(10.0, Decimal("0"))]) is None
    with pytest.raises(ValueError):
        weighted_mean([(10.0, Decimal("-1"))])
