"""XmR process behaviour charts: baseline limits per period and the three detection rules.

Limits for a period use the values up to it: the baseline window is the first
`min(window, n)` values of the series, n being the number of values up to the period, so the
limits move while the chart fills and settle once `window` values exist (12 by default).
Moving ranges are taken between successive values; a missing period is skipped, not bridged
by a gap in the range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from aligna.evaluate.frames import short_texts
from aligna.evaluate.layout import LOWER, XMR_MIN_VALUES

NATURAL = 2.66  # natural process limits: centre +- 2.66 mR-bar
HALF_WAY = 1.33  # the half-way lines of rule 2
RANGE = 3.268  # upper range limit of the moving-range chart
RULE_2_WINDOW, RULE_2_COUNT = 4, 3
RULE_3_RUN = 8
NO_SIDE, ABOVE, BELOW = 0, 1, 2
SIDES: tuple[str, ...] = ("above", "below")
SIGNAL_TYPE = pl.List(pl.Struct({"rule": pl.Int8, "side": pl.String, "favourable": pl.Boolean}))


@dataclass(frozen=True)
class Limits:
    """The XmR limits in force, from the first `m` values of a series (m = 0: none yet)."""

    m: np.ndarray
    centre: np.ndarray
    mr_bar: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_half: np.ndarray
    upper_half: np.ndarray
    upper_range: np.ndarray


@dataclass(frozen=True)
class Baselines:
    """Per series, running sums over its first `window` values and their moving ranges."""

    window: np.ndarray  # per series
    sums: np.ndarray  # [series, j]: sum of values 0..j
    range_sums: np.ndarray  # [series, j]: sum of moving ranges 1..j


def baselines(series: np.ndarray, rank: np.ndarray, y: np.ndarray, window: np.ndarray) -> Baselines:
    """Running sums over each series' baseline window (values given back to back, in order)."""
    width = int(window.max()) if len(window) else 1
    first = np.zeros((len(window), width))
    inside = rank < window[series]
    first[series[inside], rank[inside]] = y[inside]
    ranges = np.zeros_like(first)
    ranges[:, 1:] = np.abs(np.diff(first, axis=1))
    # cumsum adds in order, oldest first: the same sums a hand calculation makes.
    return Baselines(
        window=window, sums=np.cumsum(first, axis=1), range_sums=np.cumsum(ranges, axis=1)
    )


def limits_at(base: Baselines, series: np.ndarray, n: np.ndarray) -> Limits:
    """The limits in force after `n` values of each series (none before 6 values)."""
    m = np.minimum(base.window[series], n)
    ready = n >= XMR_MIN_VALUES
    m = np.where(ready, m, 0)
    j = np.maximum(m - 1, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = np.where(ready, base.sums[series, j] / m, np.nan)
        mr_bar = np.where(ready, base.range_sums[series, j] / (m - 1), np.nan)
    return Limits(
        m=m,
        centre=centre,
        mr_bar=mr_bar,
        lower=centre - NATURAL * mr_bar,
        upper=centre + NATURAL * mr_bar,
        lower_half=centre - HALF_WAY * mr_bar,
        upper_half=centre + HALF_WAY * mr_bar,
        upper_range=RANGE * mr_bar,
    )


@dataclass(frozen=True)
class Detections:
    """Per value: the side (NO_SIDE, ABOVE, BELOW) on which each rule fires."""

    rule_1: np.ndarray
    rule_2: np.ndarray
    rule_3: np.ndarray


def detect(y: np.ndarray, rank: np.ndarray, limits: Limits) -> Detections:
    """Apply the three detection rules at each value, with the limits in force at it.

    Rule 1: the value is beyond a natural process limit. Rule 2: at least 3 of the last 4
    values are beyond the same half-way line, the value itself among them (the one that
    completes the pattern). Rule 3: the last 8 values are all on the same side of the centre.
    All comparisons are strict; no rule fires when mR-bar is 0.
    """
    ok = (limits.m > 0) & (limits.mr_bar > 0)
    rule_1 = ABOVE * (y > limits.upper) + BELOW * (y < limits.lower)
    # Rank >= 3 (>= 7) puts all 4 (8) values of a window in the same series, so the lags
    # need no mask of their own.
    up = np.zeros(len(y), dtype=np.int8)
    down = np.zeros(len(y), dtype=np.int8)
    for k in range(min(RULE_2_WINDOW, len(y))):
        past = y[: len(y) - k]
        up[k:] += past > limits.upper_half[k:]
        down[k:] += past < limits.lower_half[k:]
    full = rank >= RULE_2_WINDOW - 1
    rule_2 = ABOVE * (full & (up >= RULE_2_COUNT) & (y > limits.upper_half))
    rule_2 += BELOW * (full & (down >= RULE_2_COUNT) & (y < limits.lower_half))
    above = rank >= RULE_3_RUN - 1
    below = above.copy()
    for k in range(min(RULE_3_RUN, len(y))):
        past = y[: len(y) - k]
        above[k:] &= past > limits.centre[k:]
        below[k:] &= past < limits.centre[k:]
    rule_3 = ABOVE * above + BELOW * below
    return Detections(
        rule_1=(rule_1 * ok).astype(np.int8),
        rule_2=(rule_2 * ok).astype(np.int8),
        rule_3=(rule_3 * ok).astype(np.int8),
    )


def by_side(side: np.ndarray, polarity: np.ndarray) -> np.ndarray:
    """Whether a signal is favourable (1) or adverse (0) by its side: above for
    higher-is-better, below for lower-is-better (within-range KPIs: see `towards_middle`)."""
    wanted = np.where(polarity == LOWER, BELOW, ABOVE)
    return (side == wanted).astype(np.int8)


def towards_middle(y: np.ndarray, centre: np.ndarray, middle: np.ndarray) -> np.ndarray:
    """Whether a within-range signal is favourable: 1 when its value is nearer the band's
    middle than the centre line is (the process moved towards the middle), 0 (adverse)
    otherwise, -1 (unknown) without a band."""
    with np.errstate(invalid="ignore"):
        towards = np.abs(y - middle) < np.abs(centre - middle)
    return np.where(np.isnan(middle), -1, towards.astype(np.int8)).astype(np.int8)


@dataclass(frozen=True)
class Events:
    """The signals that fired, ordered by value and, within a value, by rule."""

    value: np.ndarray  # the value each signal is dated at
    rule: np.ndarray  # 1, 2 or 3
    side: np.ndarray  # ABOVE or BELOW
    counts: np.ndarray  # per value: how many signals it has


def events(detections: Detections) -> Events:
    """Every signal that fired, in the order the `signals` lists show them."""
    # A row per value, a column per rule: the non-zero cells in row-major order are the
    # signals ordered by value, then by rule, with no sort.
    sides = np.stack((detections.rule_1, detections.rule_2, detections.rule_3), axis=1)
    cells = sides.ravel()
    fired = np.flatnonzero(cells)
    value, rule = np.divmod(fired, 3)
    return Events(
        value=value,
        rule=(rule + 1).astype(np.int8),
        side=cells[fired],
        counts=np.count_nonzero(sides, axis=1),
    )


def signal_lists(n_rows: int, rows: np.ndarray, found: Events, fav: np.ndarray) -> pl.Series:
    """The `signals` column: per row, the list of {rule, side, favourable} dated there.

    `rows` is the (ascending) row of each value `found` refers to; `fav` is per signal.
    """
    counts = np.zeros(n_rows, dtype=np.int64)
    counts[rows] = found.counts
    offsets = np.concatenate(([0], np.cumsum(counts)))
    struct = pa.StructArray.from_arrays(
        [
            pa.array(found.rule),
            short_texts(("", *SIDES), found.side),
            pa.array(fav == 1, mask=fav < 0),
        ],
        names=["rule", "side", "favourable"],
    )
    # 64-bit offsets and string views are Polars' own layout: the column is taken as it is.
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), struct)
    return pl.Series("signals", lists).cast(SIGNAL_TYPE)
