"""Targets chosen against the generated data, so that the demo shows every status.

A KPI's spec says how it should look today (on track, at risk, off track); the trajectory and
red flag are then set from its actual values: the baseline is what it really was a year ago,
and the latest closed period lands where the scenario wants it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from aligna.periods import Frequency, Period, format_period, parse_period, period_of

Series = list[tuple[Period, float]]
# How far ahead of the latest actual the target should sit, in the favourable direction.
SCENARIO_MARGIN = {"on_track": -0.03, "at_risk": 0.03, "off_track": 0.06}
RECENT = {Frequency.day: 14, Frequency.week: 1, Frequency.month: 1, Frequency.quarter: 1}
BASELINE_WINDOW = {Frequency.day: 14, Frequency.week: 4, Frequency.month: 3, Frequency.quarter: 1}


@dataclass(frozen=True)
class TargetPlan:
    """How a KPI's target is set: the story it tells and the style it is written in."""

    scenario: str = "on_track"  # on_track | at_risk | off_track
    ambition: float = 0.1  # favourable change baseline -> end when the data gives no better
    shape: str = "linear"
    red_pct: int = 10  # red flag distance when the KPI is on track
    red_style: str = "percent"  # percent | absolute | value
    stretch_pct: int | None = None
    red_floor: float = 0.0  # smallest red-flag distance, for counts that can be near zero
    max_change: float = 0.5  # the most a plan moves a KPI from its baseline, as a share
    overrides: tuple[tuple[int, float], ...] = ()  # (days before today, target factor)


def index(period: Period) -> int:
    """A period's position on its frequency's axis (consecutive periods differ by 1)."""
    start = period.start
    if period.frequency is Frequency.day:
        return start.toordinal()
    if period.frequency is Frequency.week:
        return start.toordinal() // 7
    if period.frequency is Frequency.month:
        return start.year * 12 + start.month - 1
    return start.year * 4 + (start.month - 1) // 3


def closed_series(rows: Sequence[tuple[str, float]], frequency: Frequency, today: date) -> Series:
    """Values of the periods that ended before today, in order."""
    periods = [(parse_period(p, frequency), float(v)) for p, v in rows if v is not None]
    return sorted(((p, v) for p, v in periods if p.end < today), key=lambda pv: pv[0].start)


def nice(value: float) -> float:
    """Round to three significant digits: targets people would write."""
    if value == 0 or not math.isfinite(value):
        return 0.0
    rounded = float(f"{value:.3g}")
    return float(int(rounded)) if rounded.is_integer() else rounded


def number(value: float) -> int | float:
    """An int when the value is whole, for tidy files."""
    return int(value) if float(value).is_integer() else value


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _baseline(series: Series, at: Period) -> float:
    """The mean of the values in the window ending at the baseline period."""
    window = BASELINE_WINDOW[at.frequency]
    end = index(at)
    values = [v for p, v in series if end - window < index(p) <= end]
    if not values:
        values = [v for _, v in series[:window]]
    return _mean(values)


def trajectory_value(baseline: float, final: float, fraction: float, shape: str) -> float:
    """The target a fraction of the way from the baseline to the final value."""
    if shape == "compound" and baseline > 0 and final > 0:
        return baseline * (final / baseline) ** fraction
    return baseline + (final - baseline) * fraction


def _solve_final(baseline: float, wanted: float, fraction: float, shape: str) -> float:
    """The final value whose trajectory passes through `wanted` at `fraction`."""
    if shape == "compound" and baseline > 0 and wanted > 0:
        return baseline * (wanted / baseline) ** (1 / fraction)
    return baseline + (wanted - baseline) / fraction


def positional(value: float) -> str:
    """A number without exponent notation: 0.00041, not 4.1e-04."""
    if float(value).is_integer():
        return str(int(value))
    return np.format_float_positional(value, trim="-")


def _offset(amount: float, sign: int, percent: bool) -> str:
    """An offset text like "-5%" or "+2": the sign gives the side of the target."""
    text = f"{positional(nice(abs(amount)))}{'%' if percent else ''}"
    return ("+" if sign > 0 else "-") + text


def trajectory_target(
    plan: TargetPlan,
    polarity: str,
    series: Series,
    frequency: Frequency,
    today: date,
    by_year: int,
    final: float | None = None,
    ceiling: float | None = None,
) -> dict[str, Any]:
    """A target block (baseline, value, by, thresholds, overrides) fitted to the data."""
    sign = 1 if polarity == "higher_is_better" else -1
    start = period_of(today - timedelta(days=365), frequency)
    # 28 December is always in the year's last ISO week, and in its last month and quarter.
    by = period_of(date(by_year, 12, 28 if frequency is Frequency.week else 31), frequency)
    span = index(by) - index(start)
    # A baseline of 0 (no incident in a small company's quarter) cannot grow or shrink by %.
    baseline = nice(_baseline(series, start)) or 1.0
    latest, _ = series[-1]
    actual = _mean([v for _, v in series[-RECENT[frequency] :]])
    fraction = (index(latest) - index(start)) / span
    if final is None:
        wanted = actual * (1 + sign * SCENARIO_MARGIN[plan.scenario])
        final = _solve_final(baseline, wanted, fraction, plan.shape)
        if sign * (final - baseline) < 0.02 * abs(baseline):
            final = baseline * (1 + sign * plan.ambition)  # the data went the wrong way
        # Plans improve on the baseline, but by a believable amount and never past a ceiling.
        most = baseline * (1 + sign * plan.max_change)
        final = min(final, most) if sign > 0 else max(final, most)
        if ceiling is not None:
            final = min(final, max(ceiling, baseline))
    final = nice(final)
    target_now = trajectory_value(baseline, final, fraction, plan.shape)
    behind = sign * (target_now - actual) / abs(target_now) if target_now else 0.0
    red_pct = plan.red_pct
    if behind > 0 and plan.scenario == "off_track":
        red_pct = max(1, min(25, math.floor(behind * 50)))
    elif behind > 0:
        red_pct = min(30, math.ceil(behind * 100 + 3))
    block: dict[str, Any] = {
        "baseline": {"period": format_period(start.start, frequency), "value": number(baseline)},
        "value": number(final),
        "by": format_period(by.start, frequency),
        "shape": plan.shape,
        "red_flag": _red_flag(plan, sign, red_pct, baseline, final, target_now),
    }
    if plan.stretch_pct:
        block["stretch"] = {"offset": _offset(plan.stretch_pct, sign, True)}
    overrides = [
        _override(plan, sign, red_pct, baseline, final, start, by, frequency, today, days, factor)
        for days, factor in plan.overrides
    ]
    if overrides:
        block["overrides"] = overrides
    return block


def _red_flag(
    plan: TargetPlan, sign: int, pct: int, baseline: float, final: float, target_now: float
) -> dict[str, Any]:
    """The red flag in the plan's style, `pct` away from the target."""
    if plan.red_style == "absolute":
        return {"offset": _offset(max(pct / 100 * abs(target_now), plan.red_floor), -sign, False)}
    if plan.red_style == "value":
        # A fixed red flag must sit on the bad side of every target along the trajectory.
        worst = min(baseline, final) if sign > 0 else max(baseline, final)
        return {"value": number(nice(worst * (1 - sign * pct / 100)))}
    return {"offset": _offset(pct, -sign, True)}


def _override(
    plan: TargetPlan,
    sign: int,
    pct: int,
    baseline: float,
    final: float,
    start: Period,
    by: Period,
    frequency: Frequency,
    today: date,
    days_ago: int,
    factor: float,
) -> dict[str, Any]:
    """Absolute targets for one planned exceptional period (a shutdown, a migration)."""
    period = period_of(today - timedelta(days=days_ago), frequency)
    fraction = (index(period) - index(start)) / (index(by) - index(start))
    target = nice(trajectory_value(baseline, final, fraction, plan.shape) * factor)
    red = nice(target * (1 - sign * pct / 100))
    stretch = nice(target * (1 + sign * max(2, pct // 2) / 100))
    return {
        "period": format_period(period.start, frequency),
        "target": number(target),
        "red_flag": number(red),
        "stretch": number(stretch),
    }


def band_target(
    series: Series,
    frequency: Frequency,
    today: date,
    half_width: float,
    red_extra: float,
    overrides: tuple[tuple[int, float], ...] = (),
) -> dict[str, Any]:
    """A band for a within-range KPI around its usual level over the first two years."""
    usual = [v for p, v in series if p.end < date(today.year - 1, today.month, 1)] or [
        v for _, v in series
    ]
    centre = round(sorted(usual)[len(usual) // 2])
    block: dict[str, Any] = {
        "band": {"lo": number(centre - half_width), "hi": number(centre + half_width)},
        "red_band": {
            "lo": number(centre - half_width - red_extra),
            "hi": number(centre + half_width + red_extra),
        },
    }
    if overrides:
        block["overrides"] = [
            {
                "period": format_period(today - timedelta(days=days), frequency),
                "lo": number(centre - half_width),
                "hi": number(centre + half_width + widen),
                "red_lo": number(centre - half_width - red_extra),
                "red_hi": number(centre + half_width + red_extra + widen),
            }
            for days, widen in overrides
        ]
    return block
