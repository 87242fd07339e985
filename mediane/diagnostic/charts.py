"""Geometry of the radar chart, shared by the page's inline SVG and the PDF (no Django import)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SIZE = 360
CENTRE = SIZE / 2
RADIUS = 130
LEVELS = 5


def point(index: int, count: int, value: float, *, radius: float = RADIUS) -> tuple[float, float]:
    """The (x, y) of `value` (0–5) on axis `index` of `count`, first axis pointing up."""
    angle = -math.pi / 2 + 2 * math.pi * index / count
    distance = radius * max(0.0, min(value, LEVELS)) / LEVELS
    return (
        round(CENTRE + distance * math.cos(angle), 1),
        round(CENTRE + distance * math.sin(angle), 1),
    )


def polygon(values: Sequence[float | None], *, radius: float = RADIUS) -> str:
    """SVG `points` of a series; a missing value (not applicable) is drawn at the centre."""
    count = len(values)
    return " ".join(
        f"{x},{y}"
        for x, y in (point(i, count, v or 0.0, radius=radius) for i, v in enumerate(values))
    )


@dataclass
class Axis:
    code: str
    label: str
    x1: float
    y1: float
    lx: float
    ly: float
    anchor: str


@dataclass
class Radar:
    size: int
    centre: float
    grid: list[str]
    axes: list[Axis]
    series: list[tuple[str, str, str]]  # (css class, label, points)


def radar(
    labels: Mapping[str, str], series: Sequence[tuple[str, str, Mapping[str, float]]]
) -> Radar:
    """A radar of the dimensions in `labels` order; `series` = (class, label, {code: score})."""
    codes = list(labels)
    count = len(codes)
    grid = [polygon([level] * count) for level in range(1, LEVELS + 1)]
    axes = []
    for index, code in enumerate(codes):
        x1, y1 = point(index, count, LEVELS)
        lx, ly = point(index, count, LEVELS, radius=RADIUS + 22)
        anchor = "middle" if abs(lx - CENTRE) < 10 else ("start" if lx > CENTRE else "end")
        axes.append(Axis(code, labels[code], x1, y1, lx, ly + 4, anchor))
    drawn = [
        (css, label, polygon([values.get(code) for code in codes]))
        for css, label, values in series
        if values
    ]
    return Radar(size=SIZE, centre=CENTRE, grid=grid, axes=axes, series=drawn)
