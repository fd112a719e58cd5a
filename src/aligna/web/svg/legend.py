"""The KPI chart's line styles and its legend, wrapped into rows under the plot."""

from __future__ import annotations

from markupsafe import Markup

from aligna.web.svg.markup import el, group, points_attr
from aligna.web.svg.shapes import (
    ADVERSE_FILL,
    FAVOURABLE_FILL,
    HOLLOW_FILL,
    UNKNOWN_FILL,
    shape,
    signal_marker,
)

FONT_SIZE = 11.0
# An average glyph of the system sans-serif is about 0.55 em; a little more never overlaps.
CHAR_WIDTH = 0.62
# Legend items keep ITEM_GAP between them, so a closer estimate is safe there.
LEGEND_CHAR_WIDTH = 0.56
ROW_HEIGHT = 16.0
SWATCH = 18.0
ITEM_GAP = 14.0

# Every line of the chart: its class and the inline fallback that matches it.
LINE_STYLES: dict[str, dict[str, object]] = {
    "actual": {"class_": "kpi-actual", "stroke": "#1f1f1f", "stroke_width": 2},
    "partial": {
        "class_": "kpi-actual kpi-actual-partial",
        "stroke": "#1f1f1f",
        "stroke_width": 1.5,
        "stroke_dasharray": "4 3",
    },
    "target": {
        "class_": "kpi-target",
        "stroke": "#1f4e9c",
        "stroke_width": 1.5,
        "stroke_dasharray": "6 4",
    },
    "red_flag_edges": {
        "class_": "kpi-red-flag",
        "stroke": "#c0392b",
        "stroke_width": 1,
        "stroke_dasharray": "2 3",
    },
    "centre": {"class_": "kpi-centre", "stroke": "#7a7a7a", "stroke_width": 1},
    "limits": {
        "class_": "kpi-limit",
        "stroke": "#7a7a7a",
        "stroke_width": 1,
        "stroke_dasharray": "5 2 1 2",
    },
    "forecast": {
        "class_": "kpi-forecast",
        "stroke": "#6a3d9a",
        "stroke_width": 2,
        "stroke_dasharray": "1 4",
        "stroke_linecap": "round",
    },
}
BAND_STYLES: dict[str, dict[str, object]] = {
    "red_flag_zone": {"class_": "kpi-band kpi-band-red-flag", "fill": "#f5d5d0"},
    "range_band": {"class_": "kpi-band kpi-band-range", "fill": "#d7ecd9"},
}

LEGEND_TEXT = {
    "actual": "Actual",
    "target": "Target",
    "red_flag_zone": "Between target and red flag",
    "range_band": "Target range",
    "red_flag_edges": "Red flags",
    "centre": "Centre line",
    "limits": "Natural process limits",
    "partial": "Current period (so far)",
    "forecast": "Forecast",
    "rule1": "Rule 1: beyond a limit",
    "rule2": "Rule 2: 3 of 4 beyond half-way",
    "rule3": "Rule 3: 8 on one side",
    "favourable": "Favourable: hollow",
    "adverse": "Adverse: solid",
}


def text_width(text: str, font_size: float = FONT_SIZE) -> float:
    """A generous estimate of the width of `text` in the system sans-serif."""
    return len(text) * font_size * CHAR_WIDTH


def item_width(key: str) -> float:
    """The width one legend item takes, gap included."""
    return SWATCH + 4 + len(LEGEND_TEXT[key]) * FONT_SIZE * LEGEND_CHAR_WIDTH + ITEM_GAP


def legend_layout(keys: list[str], max_width: float) -> list[tuple[str, float, int]]:
    """Each item's (key, x offset, row): items flow left to right and wrap at `max_width`."""
    placed: list[tuple[str, float, int]] = []
    x, row = 0.0, 0
    for key in keys:
        width = item_width(key)
        if x > 0 and x + width - ITEM_GAP > max_width:
            x, row = 0.0, row + 1
        placed.append((key, x, row))
        x += width
    return placed


def legend(keys: list[str], left: float, top: float, max_width: float) -> Markup:
    """The legend: a swatch and a word for every kind of mark the chart shows."""
    items: list[Markup] = []
    for key, dx, row in legend_layout(keys, max_width):
        x, y = left + dx, top + row * ROW_HEIGHT + ROW_HEIGHT / 2
        label = el(
            "text",
            LEGEND_TEXT[key],
            x=x + SWATCH + 4,
            y=y,
            dominant_baseline="central",
            font_size=FONT_SIZE,
            fill="#1f1f1f",
        )
        items.append(group([_swatch(key, x, y), label], class_=f"legend-item legend-{key}"))
    return group(items, class_="kpi-legend")


def _swatch(key: str, x: float, y: float) -> Markup:
    """The small sample of a mark, drawn as the chart draws it."""
    mid = x + SWATCH / 2
    if key in BAND_STYLES:
        return el("rect", x=x, y=y - 5, width=SWATCH, height=10.0, **BAND_STYLES[key])
    if key in LINE_STYLES:
        line = el("line", x1=x, y1=y, x2=x + SWATCH, y2=y, fill="none", **LINE_STYLES[key])
        if key == "actual":
            dot = el("circle", cx=mid, cy=y, r=3.0, class_="kpi-point", fill="#1f1f1f")
            return Markup(line + dot)
        if key == "partial":
            ring = el(
                "circle",
                cx=mid,
                cy=y,
                r=3.0,
                class_="kpi-point kpi-partial",
                fill=HOLLOW_FILL,
                stroke="#1f1f1f",
                stroke_width=1.5,
            )
            return Markup(line + ring)
        return line
    if key.startswith("rule"):
        return signal_marker(int(key[-1]), "above", None, mid, y, 5.0)
    if key == "favourable":
        return shape(
            "circle",
            mid,
            y,
            5.0,
            class_="signal signal-favourable",
            fill=HOLLOW_FILL,
            stroke=FAVOURABLE_FILL,
            stroke_width=1.5,
        )
    if key == "adverse":
        return shape("circle", mid, y, 5.0, class_="signal signal-adverse", fill=ADVERSE_FILL)
    return el("polyline", points=points_attr([(x, y), (x + SWATCH, y)]), stroke=UNKNOWN_FILL)
