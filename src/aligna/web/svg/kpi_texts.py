"""The KPI chart in words: its title, description, tooltips and legend items."""

from __future__ import annotations

from typing import Any

from aligna.web.svg.kpi_data import Forecast, KpiPoint
from aligna.web.svg.markup import status_words
from aligna.web.svg.scale import format_value
from aligna.web.svg.shapes import signal_words


def point_words(p: KpiPoint, unit: str) -> str:
    """One period in words, for its point's tooltip and the description."""
    text = f"{p.period}: {format_value(p.actual, unit)}"
    if p.lo is not None and p.hi is not None:
        text += f" against the range {format_value(p.lo, unit)} to {format_value(p.hi, unit)}"
    elif p.target is not None:
        text += f" against target {format_value(p.target, unit)}"
    if p.partial:
        text += " so far (current period)"
    elif p.status:
        text += f", {status_words(p.status)}"
    return text


def forecast_words(fc: Forecast, unit: str) -> str:
    """The forecast in words."""
    text = f"Forecast for {fc.end_period}: {format_value(fc.projected, unit)}"
    if fc.final_target is not None:
        text += f" against final target {format_value(fc.final_target, unit)}"
    if fc.meets is not None:
        text += ", will meet" if fc.meets else ", will miss"
    if fc.reach_period:
        text += f" (reaches it in {fc.reach_period})"
    return text


def legend_keys(pts: list[KpiPoint], fc: Forecast | None) -> list[str]:
    """The legend items for the marks this chart actually shows."""

    def some(test: Any) -> bool:
        return any(test(p) for p in pts)

    ranged = some(lambda p: p.lo is not None and p.hi is not None)
    shown = {
        "actual": some(lambda p: p.actual is not None and not p.partial),
        "target": some(lambda p: p.target is not None),
        "red_flag_zone": some(
            lambda p: p.target is not None and p.red_flag is not None and p.lo is None
        ),
        "range_band": ranged,
        "red_flag_edges": some(lambda p: p.red_lo is not None or p.red_hi is not None),
        "centre": some(lambda p: p.centre is not None),
        "limits": some(lambda p: p.lower_limit is not None or p.upper_limit is not None),
        "partial": some(lambda p: p.partial and p.actual is not None),
        "forecast": fc is not None,
    }
    signals = [s for p in pts if p.actual is not None for s in p.signals]
    for rule in (1, 2, 3):
        shown[f"rule{rule}"] = any(s.rule == rule for s in signals)
    shown["favourable"] = any(s.favourable is True for s in signals)
    shown["adverse"] = any(s.favourable is False for s in signals)
    return [key for key, present in shown.items() if present]


def chart_texts(pts: list[KpiPoint], fc: Forecast | None, label: str, unit: str) -> tuple[str, str]:
    """The title (the chart in one sentence) and the description (limits, signals, forecast)."""
    name = label or "KPI"
    if not pts:
        return f"{name}: no data", ""
    closed = [p for p in pts if not p.partial]
    title = f"{name}, {pts[0].period} to {pts[-1].period}"
    if closed:
        title += f": latest {point_words(closed[-1], unit)}"
    sentences = []
    current = next((p for p in reversed(pts) if p.partial), None)
    if current is not None:
        sentences.append(f"Current period {point_words(current, unit)}.")
    limits = next((p for p in reversed(closed) if p.centre is not None), None)
    if limits is not None:
        lower, upper = (
            format_value(limits.lower_limit, unit),
            format_value(limits.upper_limit, unit),
        )
        sentences.append(
            f"Natural process limits {lower} to {upper}, centre line "
            f"{format_value(limits.centre, unit)} (as of {limits.period})."
        )
    signals = [
        f"{p.period} {signal_words(s.rule, s.side, s.favourable)}" for p in pts for s in p.signals
    ]
    sentences.append(("Signals: " + "; ".join(signals) + ".") if signals else "No signals.")
    if fc is not None:
        sentences.append(forecast_words(fc, unit) + ".")
    return title, " ".join(sentences)
