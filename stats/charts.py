"""The chart of reports received and answered per day, as coordinates for an
inline SVG drawn by the template (no JavaScript, no chart library)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from stats.models import Grain
from stats.periods import MONTHS_GENITIVE

WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 32
MARKERS_UP_TO = 62  # points with a tooltip each; a year is drawn as lines only
MONTHS_SHORT = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


@dataclass
class Point:
    x: float
    y_received: float
    y_answered: float
    label: str
    received: int
    answered: int


@dataclass
class Chart:
    width: int
    height: int
    left: int
    top: int
    bottom: float  # the y of the x axis
    right: float
    received_line: str
    answered_line: str
    points: list[Point]
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, str]]
    markers: bool
    total_received: int
    total_answered: int


def nice_ceiling(value: int) -> int:
    """1, 2, 5 × 10ⁿ at or above the value (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _label(start: dt.date, grain: str) -> str:
    if grain == Grain.MONTH:
        return f"{MONTHS_SHORT[start.month - 1]} {start.year}"
    return f"{start.day} {MONTHS_GENITIVE[start.month - 1]} {start.year}"


def _short(start: dt.date, grain: str) -> str:
    if grain == Grain.MONTH:
        return f"{MONTHS_SHORT[start.month - 1]} {start:%y}"
    return f"{start.day:02}.{start.month:02}"


def build(data: list[tuple[dt.date, int, int]], grain: str = Grain.DAY) -> Chart:
    top_value = nice_ceiling(max([max(r, a) for _, r, a in data] or [0]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(data)
    step = plot_w / max(count - 1, 1)

    def y(value: int) -> float:
        return round(TOP + plot_h * (1 - value / top_value), 1)

    points = [
        Point(
            round(LEFT + i * step if count > 1 else LEFT + plot_w / 2, 1), y(r), y(a), _label(d, grain), r, a
        )
        for i, (d, r, a) in enumerate(data)
    ]
    every = max(1, math.ceil(count / 8))
    x_ticks = [
        (p.x, _short(d, grain))
        for i, (p, (d, _, _)) in enumerate(zip(points, data, strict=True))
        if i % every == 0
    ]
    steps = top_value if top_value <= 2 else (4 if str(top_value)[0] == "2" else 5)
    y_ticks = [(y(top_value * k // steps), top_value * k // steps) for k in range(steps + 1)]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        top=TOP,
        bottom=TOP + plot_h,
        right=WIDTH - RIGHT,
        received_line=" ".join(f"{p.x},{p.y_received}" for p in points),
        answered_line=" ".join(f"{p.x},{p.y_answered}" for p in points),
        points=points,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        markers=count <= MARKERS_UP_TO,
        total_received=sum(r for _, r, _ in data),
        total_answered=sum(a for _, _, a in data),
    )
