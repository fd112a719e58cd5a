"""A word-sized line of a KPI's recent values."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from aligna.web.svg.markup import (
    document,
    el,
    points_attr,
    status_class,
    status_fill,
    status_words,
)
from aligna.web.svg.scale import LinearScale, finite, finite_values, format_value

PAD = 2.5  # keeps the end dot (radius 2) inside the box
LINE_STROKE = "#4a4a4a"
TARGET_STROKE = "#8c8c8c"


def _y_scale(numbers: Sequence[float | None], target: float | None, height: float) -> LinearScale:
    """The vertical scale: the values and the target span the box (SVG's y grows down)."""
    known = finite_values([*numbers, target])
    low, high = (min(known), max(known)) if known else (0.0, 0.0)
    return LinearScale(low, high, height - PAD, PAD)


def sparkline_points(
    values: Sequence[float | None],
    *,
    target: float | None = None,
    width: float = 100,
    height: float = 24,
) -> list[tuple[float, float] | None]:
    """Where each value is drawn (None for a gap): evenly spaced, y scaled to the values and
    the target; all-equal values sit on the middle line."""
    numbers = [finite(v) for v in values]
    n = len(numbers)
    # One value has no span: it sits in the middle.
    x = LinearScale(0, n - 1, PAD, width - PAD) if n > 1 else LinearScale(0, 0, 0, width)
    y = _y_scale(numbers, finite(target), height)
    return [None if v is None else (x(i), y(v)) for i, v in enumerate(numbers)]


def sparkline(
    values: Sequence[float | None],
    *,
    id_prefix: str,
    target: float | None = None,
    label: str = "",
    unit: str = "",
    status: str | None = None,
    width: float = 100,
    height: float = 24,
) -> Markup:
    """A sparkline: the values as a polyline with gaps for None, a dot on the last value and
    an optional target line."""
    target = finite(target)
    points = sparkline_points(values, target=target, width=width, height=height)
    body: list[Markup] = []
    if target is not None and points:
        target_y = _y_scale([finite(v) for v in values], target, height)(target)
        body.append(
            el(
                "line",
                x1=0.0,
                y1=target_y,
                x2=float(width),
                y2=target_y,
                class_="spark-target",
                stroke=TARGET_STROKE,
                stroke_width=1,
                stroke_dasharray="2 2",
            )
        )
    for run in _runs(points):
        if len(run) == 1:
            # A lone value between gaps has no segment: a small dot keeps it visible.
            body.append(
                el(
                    "circle",
                    cx=run[0][0],
                    cy=run[0][1],
                    r=1.0,
                    class_="spark-lone",
                    fill=LINE_STROKE,
                )
            )
        else:
            body.append(
                el(
                    "polyline",
                    points=points_attr(run),
                    class_="spark-line",
                    fill="none",
                    stroke=LINE_STROKE,
                    stroke_width=1.25,
                    stroke_linejoin="round",
                    stroke_linecap="round",
                )
            )
    last = next((p for p in reversed(points) if p is not None), None)
    if last is not None:
        body.append(
            el(
                "circle",
                cx=last[0],
                cy=last[1],
                r=2.0,
                class_=f"spark-last {status_class(status)}",
                fill=status_fill(status),
            )
        )
    return document(
        id_prefix=id_prefix,
        title=_title(values, label=label, unit=unit, target=target, status=status),
        desc="",
        view_width=width,
        view_height=height,
        body=body,
        css_class="sparkline",
    )


def _runs(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """The stretches of consecutive points between gaps."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _title(
    values: Sequence[float | None],
    *,
    label: str,
    unit: str,
    target: float | None,
    status: str | None,
) -> str:
    """The sparkline in words: how many values, first and latest, and the target."""
    name = label or "Values"
    known = finite_values(values)
    if not known:
        return f"{name}: no data"
    count = f"{len(values)} period" + ("" if len(values) == 1 else "s")
    text = f"{name}, last {count}: "
    if len(known) == 1:
        text += f"{format_value(known[0], unit)}"
    else:
        text += f"from {format_value(known[0], unit)} to {format_value(known[-1], unit)}"
        text += f" (low {format_value(min(known), unit)}, high {format_value(max(known), unit)})"
    if target is not None:
        text += f", target {format_value(target, unit)}"
    if status:
        text += f", {status_words(status)}"
    return text
