"""Template helpers: the SVG figures of a view model, as Jinja globals."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from aligna.web.svg.bullet import bullet_graph
from aligna.web.svg.scale import num
from aligna.web.svg.sparkline import sparkline

# Ids inside inline SVGs must be unique on a page; a counter per process is enough.
_ids = itertools.count(1)


def _prefix(kind: str) -> str:
    return f"{kind}{next(_ids)}"


def bullet(item: Any, *, width: float = 240, height: float = 36) -> Markup:
    """The bullet graph of an item's latest period."""
    return bullet_graph(
        actual=item.actual,
        target=item.target,
        red_flag=item.red_flag,
        stretch=item.stretch,
        polarity=item.polarity,
        status=item.status or "no_data",
        unit=item.unit_of_measure,
        label=item.name,
        period=item.period or "",
        lo=item.lo,
        hi=item.hi,
        red_lo=item.red_lo,
        red_hi=item.red_hi,
        id_prefix=_prefix("b"),
        width=width,
        height=height,
    )


def spark(item: Any) -> Markup:
    """The sparkline of an item's recent closed periods."""
    return sparkline(
        item.history,
        id_prefix=_prefix("s"),
        target=item.target,
        label=item.name,
        unit=item.unit_of_measure,
    )


def gap_bar(gap: Any, *, width: float = 260, height: float = 14) -> Markup:
    """The vision gap as one bar: the part initiatives cover, and what remains uncovered."""
    size = abs(gap.gap) if gap.gap is not None else 0.0
    if gap.gap is None:
        words = "No projection yet: the vision gap is unknown"
        covered_w = uncovered_w = 0.0
    elif gap.gap <= 0 or size == 0:
        words = "No vision gap: organic growth reaches the target"
        covered_w, uncovered_w = width, 0.0
    else:
        share = min(max(gap.covered / size, 0.0), 1.0)
        covered_w, uncovered_w = width * share, width * (1 - share)
        words = (
            f"Vision gap {num(size)}: {num(min(gap.covered, size))} covered by initiatives, "
            f"{num(max(size - gap.covered, 0.0))} uncovered"
        )
    ident = _prefix("g")
    parts = [
        f'<svg class="gap-bar" role="img" aria-labelledby="{ident}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        f'<title id="{ident}">{escape(words)}</title>',
        f'<rect class="gap-frame" x="0" y="0" width="{width}" height="{height}" fill="#eee"/>',
    ]
    if covered_w:
        parts.append(
            f'<rect class="gap-covered" x="0" y="0" width="{covered_w:.1f}" height="{height}" '
            'fill="#3b6fb6"/>'
        )
    if uncovered_w:
        parts.append(
            f'<rect class="gap-uncovered" x="{covered_w:.1f}" y="0" width="{uncovered_w:.1f}" '
            f'height="{height}" fill="#c0392b"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


CHART_PERIODS = 120  # a daily KPI has a thousand periods: more than a chart can show


def chart(view: Any) -> Markup:
    """The KPI page's chart of actuals against the target trajectory (the latest periods)."""
    from aligna.web.svg.kpi_chart import kpi_chart

    return kpi_chart(
        view.history[-CHART_PERIODS:],
        forecast=view.item.forecast,
        id_prefix=_prefix("c"),
        label=view.item.name,
        unit=view.item.unit_of_measure,
    )


def timeline(initiative: Any, milestones: list[Any], today: date) -> Markup:
    """An initiative's milestones on a line from its start to its end, with today marked."""
    width, height, pad = 720.0, 64.0, 16.0
    days = [initiative.start_date, initiative.end_date, *(ms.due for ms in milestones)]
    first, last = min(days), max(days)
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return pad + (width - 2 * pad) * (day - first).days / span

    done = sum(1 for ms in milestones if ms.percent_complete >= 100)
    overdue = sum(1 for ms in milestones if ms.percent_complete < 100 and ms.due < today)
    ident = _prefix("t")
    words = (
        f"Timeline from {initiative.start_date} to {initiative.end_date}: {len(milestones)} "
        f"milestones, {done} done, {overdue} overdue"
    )
    parts = [
        f'<svg class="timeline" role="img" aria-labelledby="{ident}" width="100%" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" preserveAspectRatio="xMinYMid meet">',
        f'<title id="{ident}">{escape(words)}</title>',
        f'<line x1="{x(initiative.start_date):.1f}" x2="{x(initiative.end_date):.1f}" y1="28" '
        'y2="28" stroke="#555" stroke-width="3"/>',
    ]
    for ms in milestones:
        cx = x(ms.due)
        state = "done" if ms.percent_complete >= 100 else "overdue" if ms.due < today else "open"
        fill = {"done": "#2e7d32", "overdue": "#ffffff", "open": "#ffffff"}[state]
        stroke = {"done": "#2e7d32", "overdue": "#c0392b", "open": "#555555"}[state]
        parts.append(
            f'<polygon class="milestone milestone-{state}" points="{cx:.1f},20 {cx + 8:.1f},28 '
            f'{cx:.1f},36 {cx - 8:.1f},28" fill="{fill}" stroke="{stroke}" stroke-width="2">'
            f"<title>{escape(ms.name)}: due {ms.due}, {ms.percent_complete:.0f}% done, "
            f"{state}</title></polygon>"
        )
    if first <= today <= last:
        tx = x(today)
        parts.append(
            f'<line class="today" x1="{tx:.1f}" x2="{tx:.1f}" y1="8" y2="48" stroke="#3b6fb6" '
            f'stroke-dasharray="3 2"/><text x="{tx:.1f}" y="60" text-anchor="middle" '
            f'font-size="11" fill="#3b6fb6">today</text>'
        )
    parts.append(
        f'<text x="{pad}" y="60" font-size="11" fill="#333">{initiative.start_date}</text>'
        f'<text x="{width - pad}" y="60" font-size="11" text-anchor="end" fill="#333">'
        f"{initiative.end_date}</text></svg>"
    )
    return Markup("".join(parts))


def install(templates: Jinja2Templates) -> None:
    """Make the figures available to every template."""
    templates.env.globals.update(
        bullet=bullet,
        spark=spark,
        gap_bar=gap_bar,
        chart=chart,
        timeline=timeline,
        chart_periods=CHART_PERIODS,
    )
