"""The KPI chart's frame: where periods and values go, the axes and their labels."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup

from aligna.web.svg.kpi_data import Forecast, KpiPoint
from aligna.web.svg.legend import text_width
from aligna.web.svg.markup import el, group
from aligna.web.svg.scale import LinearScale, finite_values, nice_ticks

TOP = 18.0
TICK_FONT = 11.0
LABEL_GAP = 6.0  # the least space between two period labels
# Label every n-th period with n from this list, so months fall on quarters and years.
EVERY_STEPS = (1, 2, 3, 4, 6, 12)
NUMBER_FIELDS = (
    "actual",
    "target",
    "red_flag",
    "lo",
    "hi",
    "red_lo",
    "red_hi",
    "centre",
    "lower_limit",
    "upper_limit",
)


def label_every(labels: Sequence[str], slot_width: float, font_size: float = TICK_FONT) -> int:
    """Label every n-th period so that no two labels overlap (n from 1, 2, 3, 4, 6, 12 or a
    multiple of 12)."""
    widest = max((text_width(label, font_size) for label in labels), default=0.0)
    needed = max(1, math.ceil((widest + LABEL_GAP) / slot_width)) if slot_width > 0 else 1
    return next((n for n in EVERY_STEPS if n >= needed), math.ceil(needed / 12) * 12)


def chart_ticks(points: Sequence[KpiPoint], forecast: Forecast | None = None) -> list[float]:
    """The y axis ticks: 1-2-5 steps over every value drawn, from zero when that keeps the
    data in at least the upper two thirds of the plot."""
    values = finite_values(
        [getattr(p, name) for p in points for name in NUMBER_FIELDS]
        + ([forecast.projected] if forecast else [])
    )
    if not values:
        return nice_ticks(0.0, 1.0, 5)
    low, high = min(values), max(values)
    if 0 <= low <= high / 3:
        low = 0.0
    elif low / 3 <= high <= 0:
        high = 0.0
    return nice_ticks(low, high, 5)


class Layout:
    """Where things go: a band per period along x, the value scale along y."""

    def __init__(self, left: float, slot: float, y: LinearScale) -> None:
        self.left, self.slot, self.y = left, slot, y

    def x(self, index: int) -> float:
        """The centre of a period's slot."""
        return self.left + (index + 0.5) * self.slot

    def edges(self, index: int) -> tuple[float, float]:
        """The left and right edges of a period's slot."""
        return self.left + index * self.slot, self.left + (index + 1) * self.slot


def y_axis(
    ticks: list[float], labels: list[str], layout: Layout, plot_width: float, unit: str
) -> Markup:
    """Horizontal grid lines with their values, the zero line stronger, the unit on top."""
    parts = []
    for tick, text in zip(ticks, labels, strict=True):
        y = layout.y(tick)
        css = "kpi-grid kpi-zero" if tick == 0 else "kpi-grid"
        stroke = "#9a9a9a" if tick == 0 else "#e3e3e3"
        parts.append(
            el(
                "line",
                x1=layout.left,
                y1=y,
                x2=layout.left + plot_width,
                y2=y,
                class_=css,
                stroke=stroke,
                stroke_width=1,
            )
        )
        parts.append(
            el(
                "text",
                text,
                x=layout.left - 6,
                y=y,
                class_="kpi-tick",
                text_anchor="end",
                dominant_baseline="central",
                font_size=TICK_FONT,
                fill="#4a4a4a",
            )
        )
    if unit:
        parts.append(
            el(
                "text",
                unit,
                x=layout.left - 6,
                y=TOP - 9,
                class_="kpi-unit",
                text_anchor="end",
                font_size=TICK_FONT,
                fill="#4a4a4a",
            )
        )
    return group(parts, class_="kpi-y-axis")


def x_axis(periods: list[str], layout: Layout, bottom: float, plot_width: float) -> Markup:
    """The period labels, every n-th so that none overlap, each with a tick mark."""
    every = label_every(periods, layout.slot)
    parts = [
        el(
            "line",
            x1=layout.left,
            y1=bottom,
            x2=layout.left + plot_width,
            y2=bottom,
            class_="kpi-axis",
            stroke="#4a4a4a",
            stroke_width=1,
        )
    ]
    for i in range(0, len(periods), every):
        x = layout.x(i)
        parts.append(
            el(
                "line",
                x1=x,
                y1=bottom,
                x2=x,
                y2=bottom + 4,
                class_="kpi-axis-tick",
                stroke="#4a4a4a",
                stroke_width=1,
            )
        )
        parts.append(
            el(
                "text",
                periods[i],
                x=x,
                y=bottom + 16,
                class_="kpi-period",
                text_anchor="middle",
                font_size=TICK_FONT,
                fill="#4a4a4a",
            )
        )
    return group(parts, class_="kpi-x-axis", data_every=every)
