"""Targets per KPI and period: trajectories, thresholds, bands, overrides and target versions.

Trajectory (higher- and lower-is-better): up to the baseline period the baseline value; from
there linear (`B + (V - B) f`) or compound (`B (V / B)^f`) towards the target value V at the
`by` period, f being the share of the periods between them; after `by` the target value.
Without a baseline (or without `by`), the target value everywhere. Compound growth between
values of different signs or through zero is impossible: such a version is linear.

Red flag r and stretch s: an absolute value, an offset from t (`-5`, `+2`, `-10%`: percent of
|t|), or the defaults r = t -+ 10% |t| and s = t + (t - r). Within-range KPIs have a band
[lo, hi] and a red band [red_lo, red_hi] instead. An override replaces what the version gives
for one period; thresholds it leaves out follow the version's rules from the overridden t.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import numpy as np
import polars as pl
import pyarrow as pa

from aligna.evaluate.layout import kpi_table, lookup, read_values
from aligna.evaluate.ordinals import FREQUENCIES, format_periods, parse_periods
from aligna.evaluate.placement import NO_ORDINAL, forecast_end
from aligna.evaluate.specs import (
    BY_OVERRIDE,
    OVERRIDE_SCHEMA,
    THRESHOLD_RULES,
    Specs,
    override_rows,
    versions_in_force,
)

TARGET_RULES: tuple[str, ...] = (
    "no target",
    "the target value (no trajectory)",
    "the baseline value (at or before the baseline period)",
    "linear interpolation from the baseline",
    "compound interpolation from the baseline",
    "linear interpolation (compound is impossible across zero or a change of sign)",
    "the target value (at or after the trajectory's end)",
    "an override",
)
NO_TARGET, FLAT, BASELINE, LINEAR, COMPOUND, LINEAR_FALLBACK, FINAL, OVERRIDE = range(8)
BANDS = {"lo": "band_lo", "hi": "band_hi", "red_lo": "red_band_lo", "red_hi": "red_band_hi"}
_CHUNK_ROWS = 1 << 18


def no_overrides() -> pl.DataFrame:
    """An empty overrides frame."""
    return pl.DataFrame(schema=OVERRIDE_SCHEMA)


def expand_targets(
    specs: pl.DataFrame,
    overrides: pl.DataFrame,
    periods: pl.DataFrame,
    *,
    details: bool = False,
) -> pl.DataFrame:
    """Targets per (kpi, period) of `periods`, one output row per input row, in order.

    `specs`: SPEC_SCHEMA, one row per target version. For each period the version in force is
    the latest one set on or before the period's last day (UTC), else the earliest; a null
    set_at counts as set before everything. `overrides`: OVERRIDE_SCHEMA (they belong to the
    KPI, whatever the version). Returns kpi, period, target, red_flag, stretch, lo, hi,
    red_lo, red_hi and target_by (the version's trajectory end); with `details`, also how
    each number was derived.
    """
    spec = Specs(specs)
    if len(spec.kpis) == 0:
        # Nothing declares a target: one unused placeholder version keeps the arithmetic simple.
        spec = Specs(
            pl.DataFrame({"kpi": [-1], "polarity": ["higher_is_better"], "frequency": ["month"]})
        )
    pos = lookup(spec.kpis, periods["kpi"].cast(pl.Int64).fill_null(-1).to_numpy())
    known = pos >= 0
    k = np.maximum(pos, 0)
    codes, x = parse_periods(periods["period"])
    frequency = spec.frequency[spec.start[k]]
    bad = known & (codes != frequency)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"period '{periods['period'][i]}' of kpi {periods['kpi'][i]} is not a "
            f"{FREQUENCIES[frequency[i]]} period"
        )
    v = versions_in_force(spec, k, known, x, frequency)
    rows, given = override_rows(spec, overrides, k, known, x)
    numbers = _numbers_in_chunks(spec, v, x, known, rows, given)
    out: dict[str, pl.Series | np.ndarray] = {
        "kpi": periods["kpi"].cast(pl.Int64),
        "period": periods["period"],
        **numbers,
    }
    out["target_by"] = _gather(spec.frame["target_by"], v, known)
    if details:
        fraction = _trajectory(spec, v, x, details=True)[1]
        out |= _details(spec, v, known, x, rows, given, fraction)
    return pl.DataFrame(
        [
            pl.Series(name, value, nan_to_null=True)
            if isinstance(value, np.ndarray)
            else value.alias(name)
            for name, value in out.items()
        ]
    )


def _numbers_in_chunks(
    spec: Specs,
    v: np.ndarray,
    x: np.ndarray,
    known: np.ndarray,
    rows: np.ndarray,
    given: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """target, red_flag, stretch and the band per row, worked out in runs of rows.

    Runs keep the arrays small (in cache) and let threads share the work: numpy releases the
    GIL inside its loops. Rows are independent, so the split changes no number.
    """
    size = len(v)
    out = {name: np.empty(size) for name in ("target", "red_flag", "stretch", *BANDS)}
    bounds = list(itertools.pairwise([*range(0, size, _CHUNK_ROWS), size])) or [(0, 0)]

    def run(bound: tuple[int, int]) -> None:
        """Work out one run of rows into the output arrays."""
        a, b = bound
        inside = (rows >= a) & (rows < b)
        part = _numbers(
            spec,
            v[a:b],
            x[a:b],
            known[a:b],
            rows[inside] - a,
            {name: values[inside] for name, values in given.items()},
        )
        for name, values in part.items():
            out[name][a:b] = values

    workers = min(len(bounds), os.cpu_count() or 1)
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, bounds))
    else:
        for bound in bounds:
            run(bound)
    return out


def _numbers(
    spec: Specs,
    v: np.ndarray,
    x: np.ndarray,
    known: np.ndarray,
    rows: np.ndarray,
    given: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """target, red_flag, stretch, lo, hi, red_lo, red_hi of some rows (overrides applied)."""
    target = _trajectory(spec, v, x, details=False)[0]
    unknown = np.flatnonzero(~known)
    target[unknown] = np.nan
    _override(target, rows, given["target"])
    red = _threshold(spec.red, v, target)
    _override(red, rows, given["red_flag"])
    stretch = _threshold(spec.stretch, v, target) + spec.stretch_epsilon[v] * (target - red)
    _override(stretch, rows, given["stretch"])
    out = {"target": target, "red_flag": red, "stretch": stretch}
    for name, column in BANDS.items():
        band = spec.floats[column][v]
        band[unknown] = np.nan
        _override(band, rows, given[name])
        out[name] = band
    return out


def _override(column: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    # Overrides name only the values they change; NaN leaves the version's value.
    given = ~np.isnan(values)
    column[rows[given]] = values[given]


def _trajectory(
    spec: Specs, v: np.ndarray, x: np.ndarray, *, details: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """The trajectory's target per row (NaN without a target value) and, for details, the
    share f of the way from the baseline."""
    value = spec.floats["target_value"][v]
    target = value.copy()
    path = spec.path[v]
    b, e = spec.baseline[v], spec.by[v]
    before = np.flatnonzero(path & (x <= b))
    target[before] = spec.floats["baseline_value"][v[before]]
    between = np.flatnonzero(path & (x > b) & (x < e))
    vb = v[between]
    start = spec.floats["baseline_value"][vb]
    fraction = (x[between] - b[between]) / (e[between] - b[between])
    grown = spec.compound_ok[vb]
    target[between] = start + (value[between] - start) * fraction
    compound = between[grown]
    target[compound] = start[grown] * (value[compound] / start[grown]) ** fraction[grown]
    if not details:
        return target, None
    shares = np.full(len(x), np.nan)
    shares[between] = fraction
    return target, shares


def _threshold(coefficients: tuple[np.ndarray, ...], v: np.ndarray, t: np.ndarray) -> np.ndarray:
    # kappa * t + alpha * |t| + beta: NaN wherever t is NaN, as a threshold needs a target.
    kappa, alpha, beta, _ = coefficients
    return kappa[v] * t + alpha[v] * np.abs(t) + beta[v]


def _gather(column: pl.Series, index: np.ndarray, known: np.ndarray) -> pl.Series:
    # A null index gathers a null: the rows of KPIs without a target.
    picks = pl.Series(pa.array(index.astype(np.int64), mask=~known))
    return column.gather(picks)


def _details(
    spec: Specs,
    v: np.ndarray,
    known: np.ndarray,
    x: np.ndarray,
    rows: np.ndarray,
    given: dict[str, np.ndarray],
    fraction: np.ndarray | None,
) -> dict[str, pl.Series | np.ndarray]:
    """How each row's numbers were derived: the version, the rules and their inputs."""
    b, e = spec.baseline[v], spec.by[v]
    value = spec.floats["target_value"][v]
    path = spec.path[v]
    between = np.where(
        spec.compound_ok[v], COMPOUND, np.where(spec.compound[v], LINEAR_FALLBACK, LINEAR)
    )
    rule = np.where(~path, FLAT, np.where(x <= b, BASELINE, np.where(x >= e, FINAL, between)))
    rule[np.isnan(value) | ~known] = NO_TARGET
    rule[rows[~np.isnan(given["target"])]] = OVERRIDE
    red_rule, stretch_rule = spec.red[3][v], spec.stretch[3][v]
    red_rule[rows[~np.isnan(given["red_flag"])]] = BY_OVERRIDE
    stretch_rule[rows[~np.isnan(given["stretch"])]] = BY_OVERRIDE

    def words(table: tuple[str, ...], codes: np.ndarray) -> pl.Series:
        """Codes as the words of a table."""
        return pl.Series(table).gather(codes)

    out: dict[str, pl.Series | np.ndarray] = {
        "version_set_at": _gather(spec.frame["set_at"], v, known),
        "target_rule": words(TARGET_RULES, rule),
        "fraction": fraction if fraction is not None else np.full(len(v), np.nan),
        "red_flag_rule": words(THRESHOLD_RULES, red_rule),
        "stretch_rule": words(THRESHOLD_RULES, stretch_rule),
    }
    for name in (
        "baseline_period",
        "baseline_value",
        "target_value",
        "shape",
        "red_flag_offset",
        "red_flag_value",
        "stretch_offset",
        "stretch_value",
    ):
        out[name] = _gather(spec.frame[name], v, known)
    return out


def target_periods(
    kpis: pl.DataFrame, values: pl.DataFrame, specs: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """The (kpi, period) pairs `evaluate_kpis` needs targets for.

    Every period of each KPI from its first value (any unit) to the current period, and the
    forecast's end period: the trajectory's end while it is ahead, else the period holding
    31 December of the as_of year.
    """
    table = kpi_table(kpis, as_of)
    value_kpi, _, value_ordinal, _ = read_values(table, values, units=False)
    lo = np.full(len(table.ids), np.iinfo(np.int64).max)
    np.minimum.at(lo, value_kpi, value_ordinal)
    kpi = np.flatnonzero(lo <= table.current)
    length = table.current[kpi] - lo[kpi] + 1
    run = np.repeat(np.arange(len(kpi)), length)
    ordinal = lo[kpi][run] + np.arange(int(length.sum())) - (np.cumsum(length) - length)[run]
    frequency = table.frequency[kpi]
    now = pl.DataFrame(
        {"kpi": table.ids[kpi], "period": format_periods(table.current[kpi], frequency)}
    )
    by_text = expand_targets(specs, no_overrides(), now)["target_by"]
    codes, by = parse_periods(by_text)
    by = np.where(by_text.is_not_null().to_numpy() & (codes == frequency), by, NO_ORDINAL)
    end = forecast_end(table, by, kpi)
    later = np.flatnonzero(end > table.current[kpi])
    all_kpi = np.concatenate((kpi[run], kpi[later]))
    all_ordinal = np.concatenate((ordinal, end[later]))
    # The end rows come after their KPI's run: a stable sort by KPI puts them in place.
    order = np.argsort(all_kpi, kind="stable")
    all_kpi, all_ordinal = all_kpi[order], all_ordinal[order]
    return pl.DataFrame(
        {
            "kpi": pl.Series(table.ids[all_kpi], dtype=pl.Int64),
            "period": format_periods(all_ordinal, table.frequency[all_kpi]),
        }
    )
