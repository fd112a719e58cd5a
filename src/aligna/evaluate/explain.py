"""How every number of one KPI's evaluation was computed, read from the same computation.

`explain_kpi` runs `target_periods`, `expand_targets` and `evaluate_kpis` on the one series
with `details=True` and turns their intermediate columns into sentences. It computes nothing
itself: every number it shows is a number the evaluation produced.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from aligna.evaluate.kpis import evaluate_kpis
from aligna.evaluate.signals import HALF_WAY, NATURAL, RANGE
from aligna.evaluate.targets import expand_targets, target_periods

_STATUS_RULES = {
    ("higher_is_better", "on_track"): "a >= t",
    ("higher_is_better", "at_risk"): "r <= a < t",
    ("higher_is_better", "off_track"): "a < r",
    ("lower_is_better", "on_track"): "a <= t",
    ("lower_is_better", "at_risk"): "t < a <= r",
    ("lower_is_better", "off_track"): "a > r",
    ("within_range", "on_track"): "lo <= a <= hi",
    ("within_range", "at_risk"): "outside [lo, hi] but inside [red_lo, red_hi]",
    ("within_range", "off_track"): "a outside [red_lo, red_hi]",
}


def explain_kpi(
    kpi_id: int,
    unit: int | None,
    period: str,
    *,
    kpis: pl.DataFrame,
    values: pl.DataFrame,
    specs: pl.DataFrame,
    overrides: pl.DataFrame,
    as_of: date,
) -> list[str]:
    """Lines showing the inputs and the arithmetic behind one series' evaluation of a period."""
    kpi = kpis.filter(pl.col("kpi") == kpi_id)
    if kpi.height == 0:
        raise ValueError(f"kpi {kpi_id} is not in kpis")
    same_unit = pl.col("unit").is_null() if unit is None else pl.col("unit") == unit
    series = values.filter((pl.col("kpi") == kpi_id) & same_unit)
    spec = specs.filter(pl.col("kpi") == kpi_id)
    periods = target_periods(kpi, series, spec, as_of)
    targets = expand_targets(spec, overrides.filter(pl.col("kpi") == kpi_id), periods, details=True)
    results = evaluate_kpis(kpi, series, targets, as_of, details=True)
    rows = results.evaluations.filter(pl.col("period") == period)
    if rows.height == 0:
        shown = results.evaluations["period"]
        span = f"runs from {shown[0]} to {shown[-1]}" if len(shown) else "has no values"
        raise ValueError(f"no evaluation of period {period}: the series {span}")
    row = rows.row(0, named=True)
    target = targets.filter(pl.col("period") == period).row(0, named=True)
    info = kpi.row(0, named=True)
    lines = [_header(info, unit, period, as_of, row)]
    lines += _actual(row)
    lines += _targets(info["polarity"], target, row)
    lines += _status(info["polarity"], row)
    lines += _score(row)
    lines += _trend(info["polarity"], row, results.evaluations)
    lines += _limits(row, results.evaluations)
    lines += _forecast(results.forecasts, info["polarity"])
    return lines


def _n(value: Any) -> str:
    """A number as people write it: up to 6 significant digits, no trailing zeros."""
    if value is None:
        return "none"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def _header(
    info: dict[str, Any], unit: int | None, period: str, as_of: date, row: dict[str, Any]
) -> str:
    whole = "the organisation" if unit is None else f"unit {unit}"
    state = "current period, partial" if row["partial"] else "closed period"
    return (
        f"KPI {info['kpi']} for {whole}, {period} ({state}): {info['polarity']}, "
        f"{info['frequency']}, evaluated as of {as_of.isoformat()}"
    )


def _actual(row: dict[str, Any]) -> list[str]:
    if row["actual"] is None:
        return ["actual: no value for this period"]
    if row["partial"]:
        return [f"actual so far a = {_n(row['actual'])} (no status or score until it closes)"]
    return [f"actual a = {_n(row['actual'])}"]


def _targets(polarity: str, target: dict[str, Any], row: dict[str, Any]) -> list[str]:
    if polarity == "within_range":
        if row["lo"] is None:
            return ["target: none (no band is set for this period)"]
        how = "an override" if target["target_rule"] == "an override" else "the band"
        return [
            f"band [lo, hi] = [{_n(row['lo'])}, {_n(row['hi'])}], red band [red_lo, red_hi] = "
            f"[{_n(row['red_lo'])}, {_n(row['red_hi'])}] (from {how}); "
            f"t = middle (lo + hi) / 2 = {_n(row['target'])}"
        ]
    if row["target"] is None:
        return ["target: none (the KPI has no target for this period)"]
    lines = [f"target t = {_n(row['target'])}: {_trajectory(target)}"]
    if target["version_set_at"] is not None:
        lines[0] += f" (target version set {target['version_set_at']:%Y-%m-%d %H:%M} UTC)"
    lines.append(
        f"red flag r = {_n(row['red_flag'])}: " + _threshold(target, "red_flag", polarity, row)
    )
    lines.append(
        f"stretch s = {_n(row['stretch'])}: " + _threshold(target, "stretch", polarity, row)
    )
    return lines


def _trajectory(target: dict[str, Any]) -> str:
    rule = target["target_rule"]
    start, value, f = target["baseline_value"], target["target_value"], target["fraction"]
    where = (
        f"baseline {_n(start)} at {target['baseline_period']}, {_n(value)} by {target['target_by']}"
    )
    if rule.startswith("compound"):
        return (
            f"{rule}, B x (V / B)^f = {_n(start)} x ({_n(value)} / {_n(start)})^{_n(f)} ({where})"
        )
    if rule.startswith("linear"):
        arithmetic = f"{_n(start)} + ({_n(value)} - {_n(start)}) x {_n(f)}"
        return f"{rule}, B + (V - B) x f = {arithmetic} ({where})"
    if rule.startswith("the baseline") or rule.startswith("the target value (at or after"):
        return f"{rule} ({where})"
    return rule


def _threshold(target: dict[str, Any], name: str, polarity: str, row: dict[str, Any]) -> str:
    rule = target[f"{name}_rule"]
    if rule == "an offset":
        offset = target[f"{name}_offset"]
        if offset.endswith("%"):
            return f"an offset of {offset} of |t|: t + ({offset[:-1]} / 100) x |t|"
        return f"an offset: t {offset[0]} {offset[1:]}"
    if rule == "the default" and name == "red_flag":
        side = "-" if polarity == "higher_is_better" else "+"
        return f"the default, t {side} 10% of |t|"
    if rule == "the default":
        return (
            f"the default, t + (t - r) = {_n(row['target'])} + ({_n(row['target'])} - "
            f"{_n(row['red_flag'])})"
        )
    return rule


def _status(polarity: str, row: dict[str, Any]) -> list[str]:
    status, judged = row["status"], row["status_judged"]
    if row["partial"]:
        return ["status: none for the current period"]
    if judged == "no_data":
        base = "no data: the period has no value"
    elif judged is None:
        base = "no status: there is no target to compare with"
    else:
        base = f"{judged}: {_STATUS_RULES[(polarity, judged)]}"
    if status == "stale":
        return [f"status stale: {row['stale_reason']}; it replaces '{base}'"]
    return [f"status {base}"]


def _score(row: dict[str, Any]) -> list[str]:
    if row["score_carried_from"] is not None:
        return [
            f"score {_n(row['score'])}: the score of the last value ({row['score_carried_from']})"
            ", which still rolls up while the KPI is stale"
        ]
    if row["score_raw"] is None:
        return ["score: none (no value or no target)"]
    segment = row["score_segment"]
    if row["score_from_value"] is None:
        return [f"score {_n(row['score'])}: {segment}"]
    fv, fs, tv, ts = (
        row[f"score_{k}"] for k in ("from_value", "from_score", "to_value", "to_score")
    )
    line = (
        f"score {_n(row['score'])}: {segment}, on the line through ({_n(fv)}, {_n(fs)}) and "
        f"({_n(tv)}, {_n(ts)}): {_n(fs)} + (a - {_n(fv)}) x ({_n(ts)} - {_n(fs)}) / "
        f"({_n(tv)} - {_n(fv)}) = {_n(row['score_raw'])}"
    )
    if row["score_raw"] != row["score"]:
        line += f", clipped to {_n(row['score'])}"
    return [line]


def _trend(polarity: str, row: dict[str, Any], evaluations: pl.DataFrame) -> list[str]:
    n = row["trend_n"]
    if n is None:
        return ["trend: none (no closed value in this period)"]
    first = _period_of(evaluations, row["trend_x_first"])
    if n < 3:
        return [f"trend: none (only {n} values up to this period, at least 3 needed)"]
    basis = "|t|" if row["trend_by_target"] else "the mean absolute actual (t is 0 or missing)"
    line = (
        f"trend {row['trend']}: least-squares slope {_n(row['trend_slope'])} per period over "
        f"the {n} values from {first} to {row['period']}; change = slope x periods spanned = "
        f"{_n(row['trend_change'])}, against 1% of {basis} = {_n(row['trend_threshold'])}"
    )
    if polarity == "within_range" and row["trend"] != "flat":
        line += (
            f"; the line goes from {_n(row['trend_fit_first'])} to {_n(row['trend_fit_last'])}"
            f" against the band's middle {_n(row['target'])}"
        )
    return [line]


def _period_of(evaluations: pl.DataFrame, ordinal: int) -> str:
    found = evaluations.filter(pl.col("ordinal") == ordinal)["period"]
    return found[0] if len(found) else str(ordinal)


def _limits(row: dict[str, Any], evaluations: pl.DataFrame) -> list[str]:
    m = row["xmr_values"]
    if not m:
        return [f"XmR limits: none yet ({row['n_values']} values up to this period, 6 needed)"]
    valued = evaluations.filter(pl.col("actual").is_not_null() & ~pl.col("partial"))
    window = valued["period"].head(m)
    centre, mr = row["centre"], row["mr_bar"]
    lines = [
        f"XmR baseline: the first {m} values ({window[0]} to {window[-1]}): centre = their mean "
        f"= {_n(centre)}, mR-bar = mean of their {m - 1} moving ranges = {_n(mr)}",
        f"natural process limits = centre -+ {NATURAL} x mR-bar = [{_n(row['lower_limit'])}, "
        f"{_n(row['upper_limit'])}]; half-way lines = centre -+ {HALF_WAY} x mR-bar = "
        f"[{_n(row['lower_half'])}, {_n(row['upper_half'])}]; upper range limit = {RANGE} x "
        f"mR-bar = {_n(row['upper_range_limit'])}",
    ]
    if not mr:
        return [*lines, "signals: none, as mR-bar is 0"]
    if not row["signals"]:
        return [*lines, "signals: none dated at this period"]
    for signal in row["signals"]:
        lines.append(_signal(signal, row))
    return lines


def _signal(signal: dict[str, Any], row: dict[str, Any]) -> str:
    side = signal["side"]
    kind = {True: "favourable", False: "adverse", None: "of unknown direction"}[
        signal["favourable"]
    ]
    above = side == "above"
    if signal["rule"] == 1:
        limit = row["upper_limit"] if above else row["lower_limit"]
        what = f"a = {_n(row['actual'])} is {side} the limit {_n(limit)}"
    elif signal["rule"] == 2:
        line = row["upper_half"] if above else row["lower_half"]
        what = f"3 of the last 4 values, this one included, are {side} the half-way line {_n(line)}"
    else:
        what = f"the last 8 values are all {side} the centre line {_n(row['centre'])}"
    return f"signal: rule {signal['rule']}, {kind}: {what}"


def _forecast(forecasts: pl.DataFrame, polarity: str) -> list[str]:
    if forecasts.height == 0:
        return ["forecast: none (fewer than 3 closed values, or no final target)"]
    f = forecasts.row(0, named=True)
    goal = (
        f"the band [{_n(f['final_lo'])}, {_n(f['final_hi'])}]"
        if polarity == "within_range"
        else f"the final target {_n(f['final_target'])}"
    )
    verdict = "will meet" if f["meets"] else "will miss"
    reach = f"reaches it in {f['reach_period']}" if f["reach_period"] else "never reaches it"
    return [
        f"forecast: least-squares line through the last {f['n']} closed values ({f['first_period']}"
        f" to {f['last_period']}), slope {_n(f['slope'])} per period, {_n(f['line_at_last'])} at "
        f"{f['last_period']}; at {f['end_period']} it projects {_n(f['projected'])} against "
        f"{goal}: {verdict}; the line {reach}"
    ]
