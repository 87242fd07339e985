"""Small server-rendered charts (inline SVG drawn by the templates): no Django import."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH = 320
HEIGHT = 120
PAD = 14


@dataclass
class LineChart:
    width: int
    height: int
    points: str  # "x,y x,y" for <polyline>
    dots: list[tuple[str, str, str]]  # x, y, label (numbers as text: no localisation)
    target_y: str | None
    min_label: str
    max_label: str


def _fmt(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def line_chart(
    values: Sequence[tuple[date, Decimal]], *, target: Decimal | None = None
) -> LineChart | None:
    """Coordinates of a line chart of dated values (None under two values)."""
    if len(values) < 2:
        return None
    days = [d.toordinal() for d, _ in values]
    numbers = [Decimal(v) for _, v in values]
    low = min([*numbers, target] if target is not None else numbers)
    high = max([*numbers, target] if target is not None else numbers)
    if high == low:
        high = low + 1
    span = max(days) - min(days) or 1

    def x(day: int) -> float:
        return round(PAD + (day - min(days)) * (WIDTH - 2 * PAD) / span, 1)

    def y(value: Decimal) -> float:
        return round(float(HEIGHT - PAD - (value - low) * (HEIGHT - 2 * PAD) / (high - low)), 1)

    dots = [
        (x(d), y(v), f"{dt.isoformat()} : {_fmt(v)}")
        for d, (dt, v) in zip(days, values, strict=True)
    ]
    return LineChart(
        width=WIDTH,
        height=HEIGHT,
        points=" ".join(f"{px},{py}" for px, py, _ in dots),
        dots=[(str(px), str(py), label) for px, py, label in dots],
        target_y=str(y(target)) if target is not None else None,
        min_label=_fmt(low),
        max_label=_fmt(high),
    )
