"""The KPI page's chart: actuals against the target trajectory, XmR limits, signals, forecast."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from aligna.web.svg.kpi_axes import TOP, Layout, chart_ticks, x_axis, y_axis
from aligna.web.svg.kpi_data import Forecast, KpiPoint
from aligna.web.svg.kpi_texts import chart_texts, forecast_words, legend_keys, point_words
from aligna.web.svg.legend import (
    BAND_STYLES,
    LINE_STYLES,
    ROW_HEIGHT,
    legend,
    legend_layout,
    text_width,
)
from aligna.web.svg.markup import (
    document,
    el,
    group,
    points_attr,
    status_class,
    status_fill,
)
from aligna.web.svg.scale import (
    LinearScale,
    format_number,
    num,
    step_decimals,
)
from aligna.web.svg.shapes import HOLLOW_FILL, signal_marker, signal_words

RIGHT = 16.0
AXIS_SPACE = 24.0  # the period labels under the plot
POINT_RADIUS = 3.2
SIGNAL_SIZE = 5.5
SIGNAL_STACK = 12.0  # how far a second signal on the same point sits from the first

Run = list[tuple[int, float]]


def kpi_chart(
    points: Sequence[KpiPoint | Mapping[str, Any]],
    forecast: Forecast | Mapping[str, Any] | None = None,
    *,
    id_prefix: str,
    label: str = "",
    unit: str = "",
    width: float = 720,
    height: float = 300,
) -> Markup:
    """The KPI chart as a responsive accessible SVG (width 100%, viewBox width x height)."""
    pts = [KpiPoint.of(p) for p in points]
    fc = Forecast.of(forecast) if forecast is not None else None
    periods = [p.period for p in pts]
    end_index: int | None = None
    if fc is not None:
        if fc.end_period not in periods:
            periods.append(fc.end_period)  # one more slot: the end lies past the data
        end_index = periods.index(fc.end_period)

    ticks = chart_ticks(pts, fc)
    decimals = step_decimals(ticks[1] - ticks[0]) if len(ticks) > 1 else 0
    tick_labels = [format_number(t, decimals) for t in ticks]
    # Room for the widest value label on the left, and for half a period label past the
    # last slot on either side.
    half_label = max((text_width(p) for p in periods), default=0.0) / 2
    left = max(14.0 + max(text_width(t) for t in [*tick_labels, unit]), half_label + 2)
    plot_width = width - left - max(RIGHT, half_label + 2)
    keys = legend_keys(pts, fc)
    rows = max((row for _, _, row in legend_layout(keys, plot_width)), default=-1) + 1
    bottom = height - AXIS_SPACE - rows * ROW_HEIGHT - 4
    slot = plot_width / max(1, len(periods))
    layout = Layout(left, slot, LinearScale(ticks[0], ticks[-1], bottom, TOP))

    body: list[Markup] = [y_axis(ticks, tick_labels, layout, plot_width, unit)]
    body.append(_bands(pts, layout))
    body.append(_reference_lines(pts, layout))
    body.append(_actual_lines(pts, layout))
    if fc is not None and end_index is not None:
        body.append(_forecast(pts, fc, end_index, layout, unit))
    body.append(_points(pts, layout, unit))
    body.append(_signals(pts, layout))
    if all(p.actual is None for p in pts):
        middle = (TOP + bottom) / 2
        body.append(_no_data(left + plot_width / 2, middle))
    body.append(x_axis(periods, layout, bottom, plot_width))
    body.append(legend(keys, left, bottom + AXIS_SPACE, plot_width))
    title, desc = chart_texts(pts, fc, label, unit)
    return document(
        id_prefix=id_prefix,
        title=title,
        desc=desc,
        view_width=width,
        view_height=height,
        body=body,
        css_class="kpi-chart",
        responsive=True,
    )


def _runs(values: Sequence[float | None]) -> list[Run]:
    """The stretches of consecutive known values as (index, value)."""
    runs: list[Run] = [[]]
    for i, v in enumerate(values):
        if v is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((i, v))
    return [run for run in runs if run]


def _level_points(run: Run, layout: Layout) -> list[tuple[float, float]]:
    """A threshold's line through the slot centres, held flat to the outer slot edges so
    that a single period still shows as a segment."""
    first, last = run[0], run[-1]
    return [
        (layout.edges(first[0])[0], layout.y(first[1])),
        *((layout.x(i), layout.y(v)) for i, v in run),
        (layout.edges(last[0])[1], layout.y(last[1])),
    ]


def _step_path(run: Run, layout: Layout) -> str:
    """A step line (flat across each slot): XmR limits hold until recalibrated."""
    parts = []
    for k, (i, v) in enumerate(run):
        x0, x1 = layout.edges(i)
        y = num(layout.y(v))
        parts.append(f"M{num(x0)} {y}H{num(x1)}" if k == 0 else f"V{y}H{num(x1)}")
    return "".join(parts)


def _band(
    upper: Sequence[float | None], lower: Sequence[float | None], layout: Layout, key: str
) -> list[Markup]:
    """The area between two threshold lines wherever both are known."""
    both = [
        a if a is not None and b is not None else None for a, b in zip(upper, lower, strict=True)
    ]
    shapes = []
    for run in _runs(both):
        inside = {i for i, _ in run}
        top = _level_points(
            [(i, v) for i, v in enumerate(upper) if i in inside and v is not None], layout
        )
        under = _level_points(
            [(i, v) for i, v in enumerate(lower) if i in inside and v is not None], layout
        )
        shapes.append(el("polygon", points=points_attr(top + under[::-1]), **BAND_STYLES[key]))
    return shapes


def _bands(pts: list[KpiPoint], layout: Layout) -> Markup:
    """The red-flag zone (target to red flag) and, for within-range KPIs, the target range."""
    ranged = [p.lo is not None and p.hi is not None for p in pts]
    targets = [None if r else p.target for p, r in zip(pts, ranged, strict=True)]
    shapes = _band(targets, [p.red_flag for p in pts], layout, "red_flag_zone")
    shapes += _band([p.hi for p in pts], [p.lo for p in pts], layout, "range_band")
    return group(shapes, class_="kpi-bands")


def _reference_lines(pts: list[KpiPoint], layout: Layout) -> Markup:
    """Red-flag edges of a range, XmR centre line and limits, and the target trajectory."""
    lines: list[Markup] = []
    for name in ("red_lo", "red_hi"):
        for run in _runs([getattr(p, name) for p in pts]):
            points = points_attr(_level_points(run, layout))
            lines.append(
                el("polyline", points=points, fill="none", **LINE_STYLES["red_flag_edges"])
            )
    for name, key in (("lower_limit", "limits"), ("upper_limit", "limits"), ("centre", "centre")):
        for run in _runs([getattr(p, name) for p in pts]):
            path = _step_path(run, layout)
            lines.append(el("path", d=path, fill="none", data_line=name, **LINE_STYLES[key]))
    for run in _runs([p.target for p in pts]):
        points = points_attr(_level_points(run, layout))
        lines.append(el("polyline", points=points, fill="none", **LINE_STYLES["target"]))
    return group(lines, class_="kpi-lines")


def _actual_lines(pts: list[KpiPoint], layout: Layout) -> Markup:
    """The actuals of closed periods as a line (broken at gaps), and a dashed segment on to
    the current period's value so far."""
    closed = [None if p.partial else p.actual for p in pts]
    lines = [
        el(
            "polyline",
            points=points_attr([(layout.x(i), layout.y(v)) for i, v in run]),
            fill="none",
            stroke_linejoin="round",
            **LINE_STYLES["actual"],
        )
        for run in _runs(closed)
        if len(run) > 1
    ]
    for i in range(1, len(pts)):
        before, now = pts[i - 1], pts[i]
        if now.partial and now.actual is not None and before.actual is not None:
            segment = [
                (layout.x(i - 1), layout.y(before.actual)),
                (layout.x(i), layout.y(now.actual)),
            ]
            lines.append(
                el("polyline", points=points_attr(segment), fill="none", **LINE_STYLES["partial"])
            )
    return group(lines, class_="kpi-actuals")


def _points(pts: list[KpiPoint], layout: Layout, unit: str) -> Markup:
    """A dot per value, filled by status (its tooltip says the status); the current period
    hollow."""
    dots = []
    for i, p in enumerate(pts):
        if p.actual is None:
            continue
        colour = status_fill(p.status)
        css = "kpi-point kpi-partial" if p.partial else "kpi-point"
        dots.append(
            el(
                "circle",
                el("title", point_words(p, unit)),
                cx=layout.x(i),
                cy=layout.y(p.actual),
                r=POINT_RADIUS,
                class_=f"{css} {status_class(p.status)}",
                fill=HOLLOW_FILL if p.partial else colour,
                stroke=colour if p.partial else "#ffffff",
                stroke_width=1.5 if p.partial else 0.75,
                data_period=p.period,
            )
        )
    return group(dots, class_="kpi-points")


def _signals(pts: list[KpiPoint], layout: Layout) -> Markup:
    """Each signal on its point: shape by rule, hollow when favourable, solid when adverse;
    more than one on a point stack outwards on their side."""
    marks = []
    for i, p in enumerate(pts):
        if p.actual is None:
            continue
        for k, s in enumerate(p.signals):
            outward = -1.0 if s.side == "above" else 1.0
            cy = layout.y(p.actual) + outward * SIGNAL_STACK * k
            marker = signal_marker(s.rule, s.side, s.favourable, layout.x(i), cy, SIGNAL_SIZE)
            words = f"Signal at {p.period}: {signal_words(s.rule, s.side, s.favourable)}"
            favourable = "unknown" if s.favourable is None else str(s.favourable).lower()
            marks.append(
                group(
                    [el("title", words), marker],
                    class_="signal-mark",
                    data_period=p.period,
                    data_rule=s.rule,
                    data_side=s.side,
                    data_favourable=favourable,
                )
            )
    return group(marks, class_="kpi-signals")


def _forecast(
    pts: list[KpiPoint], fc: Forecast, end_index: int, layout: Layout, unit: str
) -> Markup:
    """A dotted line from the last closed actual to the projected value at the end period."""
    known = [(i, p.actual) for i, p in enumerate(pts) if p.actual is not None]
    start = next(((i, v) for i, v in reversed(known) if not pts[i].partial), None) or (
        known[-1] if known else None
    )
    end = (layout.x(end_index), layout.y(fc.projected))
    parts = []
    if start is not None and start[0] != end_index:
        begin = (layout.x(start[0]), layout.y(start[1]))
        parts.append(
            el("polyline", points=points_attr([begin, end]), fill="none", **LINE_STYLES["forecast"])
        )
    parts.append(
        el(
            "circle",
            el("title", forecast_words(fc, unit)),
            cx=end[0],
            cy=end[1],
            r=POINT_RADIUS + 0.8,
            class_="kpi-forecast-end",
            fill=HOLLOW_FILL,
            stroke=str(LINE_STYLES["forecast"]["stroke"]),
            stroke_width=1.5,
        )
    )
    return group(parts, class_="kpi-forecast-group")


def _no_data(x: float, y: float) -> Markup:
    """The words "no data" across an empty plot."""
    return el(
        "text",
        "no data",
        x=x,
        y=y,
        class_="kpi-no-data",
        text_anchor="middle",
        dominant_baseline="central",
        font_size=14.0,
        fill="#4a4a4a",
    )
