"""Server-rendered SVG bar charts: geometry computed here, drawn by templates/reports/_chart.svg.

No script and no inline style (the CSP forbids both): sizes and colours are SVG attributes.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 720
HEIGHT = 240
LEFT = 44  # room for the axis labels
BOTTOM = 28
TOP = 10


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    ticks: list[Tick]
    x_labels: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM


def nice_max(value: int) -> int:
    """Round the top of the axis up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def bar_chart(title: str, points: list[tuple[str, int]], max_labels: int = 8) -> BarChart:
    plot_height = HEIGHT - BOTTOM - TOP
    plot_width = WIDTH - LEFT - 4
    top = nice_max(max((v for _, v in points), default=0))
    slot = plot_width / max(len(points), 1)
    gap = min(2.0, slot * 0.2)
    bars = []
    for i, (label, value) in enumerate(points):
        h = plot_height * value / top
        bars.append(
            Bar(
                round(LEFT + i * slot + gap / 2, 2),
                round(TOP + plot_height - h, 2),
                round(slot - gap, 2),
                round(h, 2),
                label,
                value,
            )
        )
    # Counts are whole numbers: a middle line only where it falls on one.
    values = (0, top // 2, top) if top % 2 == 0 else (0, top)
    ticks = [Tick(round(TOP + plot_height * (1 - v / top), 2), v) for v in values]
    every = max(1, -(-len(points) // max_labels))
    x_labels = [(round(b.x + b.width / 2, 2), b.label) for i, b in enumerate(bars) if i % every == 0]
    return BarChart(title=title, bars=bars, ticks=ticks, x_labels=x_labels)
