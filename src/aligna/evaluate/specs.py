"""Target versions as arrays: which version is in force, and per-period overrides.

A KPI's `target` block (files/schema.py TargetModel) is kept as versions, each with the time
it was set. Everything a version says is reduced here to a few numbers per version, so that
expanding it over millions of periods is a handful of gathers and multiply-adds.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from aligna.evaluate.layout import LOWER, POLARITIES, lookup
from aligna.evaluate.ordinals import FREQUENCIES, end_days, parse_periods
from aligna.evaluate.placement import NO_ORDINAL, TARGET_COLUMNS

SPEC_SCHEMA: dict[str, pl.DataType] = {
    "kpi": pl.Int64(),
    "polarity": pl.String(),
    "frequency": pl.String(),
    "set_at": pl.Datetime("us", "UTC"),
    "baseline_period": pl.String(),
    "baseline_value": pl.Float64(),
    "target_value": pl.Float64(),
    "target_by": pl.String(),
    "shape": pl.String(),
    "red_flag_offset": pl.String(),
    "red_flag_value": pl.Float64(),
    "stretch_offset": pl.String(),
    "stretch_value": pl.Float64(),
    "band_lo": pl.Float64(),
    "band_hi": pl.Float64(),
    "red_band_lo": pl.Float64(),
    "red_band_hi": pl.Float64(),
}
"""The columns of `specs`: one row per target version of a KPI (all but kpi nullable)."""

OVERRIDE_SCHEMA: dict[str, pl.DataType] = {
    "kpi": pl.Int64(),
    "period": pl.String(),
    **{name: pl.Float64() for name in TARGET_COLUMNS},
}
"""The columns of `overrides`: absolute values for one KPI and period."""

THRESHOLD_RULES: tuple[str, ...] = ("an override", "an absolute value", "an offset", "the default")
BY_OVERRIDE, BY_VALUE, BY_OFFSET, BY_DEFAULT = range(4)
DEFAULT_SHARE = 0.1  # the default red flag: 10% of |t| on the bad side
_SECONDS = 1 << 36  # set_at in seconds, shifted positive: fits the years 881 to 3058
_SHIFT = 1 << 35


class Specs:
    """Target versions sorted by kpi then set_at (a null set_at first), as arrays.

    Red flag and stretch become `kappa * t + alpha * |t| + beta (+ epsilon * (t - r))`:
    an absolute value is (0, 0, value), an offset "-5" is (1, 0, -5), "-10%" is (1, -0.1, 0),
    the default red flag (1, -+0.1, 0) and the default stretch (1, 0, 0, epsilon 1).
    """

    def __init__(self, specs: pl.DataFrame) -> None:
        frame = specs.with_columns(
            *(
                pl.lit(None, dtype).alias(name)
                for name, dtype in SPEC_SCHEMA.items()
                if name not in specs.columns
            )
        )
        frame = frame.with_columns(_set=pl.col("set_at").dt.epoch("s").fill_null(-_SHIFT)).sort(
            "kpi", "_set", maintain_order=True
        )
        self.frame = frame
        kpi = frame["kpi"].cast(pl.Int64).to_numpy()
        first = np.concatenate(([True], np.diff(kpi) != 0)) if len(kpi) else np.zeros(0, bool)
        self.start = np.flatnonzero(first)  # per KPI: its earliest version
        self.kpis = kpi[self.start]
        self.count = np.diff(np.append(self.start, len(kpi)))
        seconds = np.clip(frame["_set"].to_numpy() + _SHIFT, 0, _SECONDS - 1)
        self.keys = (np.cumsum(first) - 1) * _SECONDS + seconds
        polarity = frame["polarity"].cast(pl.String).cast(pl.Enum(POLARITIES), strict=False)
        if polarity.null_count():
            shown = frame.filter(polarity.is_null())["polarity"][0]
            raise ValueError(f"polarity '{shown}' is not one of {', '.join(POLARITIES)}")
        self.polarity = polarity.to_physical().to_numpy().astype(np.int8)
        frequency = frame["frequency"].cast(pl.String).cast(pl.Enum(FREQUENCIES), strict=False)
        if frequency.null_count():
            shown = frame.filter(frequency.is_null())["frequency"][0]
            raise ValueError(f"'{shown}' is not a frequency, expected {', '.join(FREQUENCIES)}")
        self.frequency = frequency.to_physical().to_numpy().astype(np.int8)
        self.floats = {
            name: frame[name].cast(pl.Float64).fill_null(np.nan).to_numpy()
            for name, dtype in SPEC_SCHEMA.items()
            if dtype == pl.Float64()
        }
        self.baseline = self._ordinal("baseline_period")
        self.by = self._ordinal("target_by")
        start, value = self.floats["baseline_value"], self.floats["target_value"]
        # A trajectory needs a baseline, an end after it, and a value to reach.
        self.path = (
            (~np.isnan(start) & ~np.isnan(value) & (self.baseline != NO_ORDINAL))
            & (self.by != NO_ORDINAL)
            & (self.by > self.baseline)
        )
        self.compound = (frame["shape"] == "compound").fill_null(False).to_numpy()
        # Compound growth needs a start and an end of the same sign, neither zero.
        self.compound_ok = self.compound & (start * value > 0)
        sign = np.where(self.polarity == LOWER, 1.0, -1.0)
        self.red = self._threshold("red_flag", default_alpha=sign * DEFAULT_SHARE)
        self.stretch = self._threshold("stretch", default_alpha=np.zeros(len(kpi)))
        # Only the default stretch looks at the red flag: t + (t - r).
        self.stretch_epsilon = (self.stretch[3] == BY_DEFAULT).astype(np.float64)

    def _ordinal(self, name: str) -> np.ndarray:
        text = self.frame[name]
        codes, ordinal = parse_periods(text)
        given = text.is_not_null().to_numpy()
        bad = given & (codes != self.frequency)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{name} '{text[i]}' of kpi {self.frame['kpi'][i]} is not a "
                f"{FREQUENCIES[self.frequency[i]]} period"
            )
        return np.where(given, ordinal, NO_ORDINAL)

    def _threshold(self, name: str, default_alpha: np.ndarray) -> tuple[np.ndarray, ...]:
        """kappa, alpha, beta and the rule of a red flag or stretch, per version."""
        value = self.floats[f"{name}_value"]
        offset, percent = _offsets(self.frame[f"{name}_offset"])
        rule = np.select([~np.isnan(value), ~np.isnan(offset)], [BY_VALUE, BY_OFFSET], BY_DEFAULT)
        kappa = (rule != BY_VALUE).astype(np.float64)
        alpha = np.select(
            [rule == BY_OFFSET, rule == BY_DEFAULT],
            [np.where(percent, offset / 100, 0.0), default_alpha],
            0.0,
        )
        beta = np.select(
            [rule == BY_VALUE, rule == BY_OFFSET], [value, np.where(percent, 0.0, offset)], 0.0
        )
        return kappa, alpha, beta, rule


def _offsets(text: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    # "-5" -> (-5, absolute); "+2" -> (2, absolute); "-10%" -> (-10, percent of |t|).
    text = text.cast(pl.String).str.strip_chars()
    percent = text.str.ends_with("%").fill_null(False).to_numpy()
    number = text.str.strip_chars_end("%").str.strip_chars_start("+").cast(pl.Float64, strict=False)
    bad = text.is_not_null() & number.is_null()
    if bad.any():
        raise ValueError(
            f"'{text.filter(bad)[0]}' is not an offset, expected an offset like -5, +2 or -10%"
        )
    return number.fill_null(np.nan).to_numpy(), percent


def versions_in_force(
    spec: Specs, k: np.ndarray, known: np.ndarray, x: np.ndarray, frequency: np.ndarray
) -> np.ndarray:
    """Per row, the version in force: the latest set on or before the period's last day
    (UTC), else the KPI's earliest."""
    version = spec.start[k].copy()
    several = np.flatnonzero(known & (spec.count[k] > 1))
    if len(several):
        # Set before the next day's midnight = set on or before the period's last day.
        next_day = (end_days(x[several], frequency[several]) + 1) * 86400
        keys = k[several] * _SECONDS + np.clip(next_day + _SHIFT, 0, _SECONDS - 1)
        latest = np.searchsorted(spec.keys, keys, side="left") - 1
        version[several] = np.maximum(latest, spec.start[k[several]])
    return version


def override_rows(
    spec: Specs, overrides: pl.DataFrame, k: np.ndarray, known: np.ndarray, x: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The rows that have an override, and per column its values there (NaN: not given)."""
    empty = np.zeros(0, dtype=np.int64)
    if overrides.height == 0:
        return empty, {name: np.zeros(0) for name in TARGET_COLUMNS}
    pos = lookup(spec.kpis, overrides["kpi"].cast(pl.Int64).fill_null(-1).to_numpy())
    keep = np.flatnonzero(pos >= 0)  # overrides of KPIs without a target override nothing
    if len(keep) == 0:
        return empty, {name: np.zeros(0) for name in TARGET_COLUMNS}
    codes, ordinal = parse_periods(overrides["period"])
    expected = spec.frequency[spec.start[pos[keep]]]
    if (codes[keep] != expected).any():
        i = keep[int(np.flatnonzero(codes[keep] != expected)[0])]
        raise ValueError(
            f"override period '{overrides['period'][i]}' of kpi {overrides['kpi'][i]} is not "
            f"a {FREQUENCIES[spec.frequency[spec.start[pos[i]]]]} period"
        )
    keys = pos[keep] * (1 << 40) + ordinal[keep] + (1 << 39)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    if (np.diff(keys) == 0).any():
        i = keep[order[int(np.flatnonzero(np.diff(keys) == 0)[0])]]
        raise ValueError(
            f"overrides hold kpi {overrides['kpi'][i]} period '{overrides['period'][i]}' twice, "
            "expected one override per period"
        )
    # Only the rows of KPIs that have overrides need looking up.
    has = np.zeros(len(spec.kpis), dtype=bool)
    has[pos[keep]] = True
    rows = np.flatnonzero(known & has[k])
    row_keys = k[rows] * (1 << 40) + x[rows] + (1 << 39)
    at = np.clip(np.searchsorted(keys, row_keys), 0, len(keys) - 1)
    hit = keys[at] == row_keys
    source = keep[order[at[hit]]]
    values = {}
    for name in TARGET_COLUMNS:
        column = (
            overrides[name].cast(pl.Float64).fill_null(np.nan).to_numpy()
            if name in overrides.columns
            else np.full(overrides.height, np.nan)
        )
        values[name] = column[source]
    return rows[hit], values
