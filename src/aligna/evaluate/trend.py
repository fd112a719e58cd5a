"""Least-squares lines over each series' recent values, and the trend word they imply."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from aligna.evaluate.layout import LOWER, WITHIN

TRENDS: tuple[str, ...] = ("improving", "worsening", "flat")
IMPROVING, WORSENING, FLAT = range(3)
NO_TREND = -1
TREND_VALUES = 6
TREND_MIN_VALUES = 3
TREND_SHARE = 0.01  # a change within 1% of |t| is flat


@dataclass(frozen=True)
class Fit:
    """A least-squares line through the last `n` values up to each evaluated value.

    x is the period ordinal, measured from the evaluated value's own period (so x <= 0), which
    keeps the sums small and exact for integer data; `mean_x` and `mean_y` are the centroid.
    """

    n: np.ndarray
    x_first: np.ndarray  # ordinal of the oldest value in the line's window
    x_last: np.ndarray  # ordinal of the evaluated value
    mean_x: np.ndarray  # relative to x_last
    mean_y: np.ndarray
    slope: np.ndarray  # per period

    def at(self, ordinal: np.ndarray) -> np.ndarray:
        """The line's value at absolute ordinals."""
        return self.mean_y + self.slope * (ordinal - self.x_last - self.mean_x)


def rolling_fit(
    x: np.ndarray,
    y: np.ndarray,
    rank: np.ndarray,
    window: int,
    at: np.ndarray | None = None,
) -> Fit:
    """Fit a line through the last `window` values (fewer near a series' start) up to each
    value, or only up to the values at indices `at`.

    `x`, `y`, `rank` describe the values of all series back to back, in order; `rank` is a
    value's position within its series. Two passes (centroid, then centred sums) keep it
    numerically stable; the loop runs over the window's lags, never over series.
    """
    index = np.arange(len(x)) if at is None else np.asarray(at, dtype=np.int64)
    size = len(index)
    x_at = x[index].astype(np.int64)
    n = np.minimum(window, rank[index] + 1)
    sum_x, sum_y = np.zeros(size), np.zeros(size)
    for rows, outside, xk, yk in _lags(x, y, rank, window, at):
        xk[outside] = 0.0
        if len(outside):
            yk = yk.copy()
            yk[outside] = 0.0
        sum_x[rows] += xk
        sum_y[rows] += yk
    mean_x, mean_y = sum_x / n, sum_y / n
    sxy, sxx = np.zeros(size), np.zeros(size)
    for rows, outside, xk, yk in _lags(x, y, rank, window, at):
        dx = xk - mean_x[rows]
        dx[outside] = 0.0  # a lag before the series' start adds nothing
        sxy[rows] += dx * (yk - mean_y[rows])
        sxx[rows] += dx * dx
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(n >= 2, sxy / sxx, np.nan)
    return Fit(
        n=n,
        x_first=x[index - (n - 1)].astype(np.int64),
        x_last=x_at,
        mean_x=mean_x,
        mean_y=mean_y,
        slope=slope,
    )


def _lags(
    x: np.ndarray, y: np.ndarray, rank: np.ndarray, window: int, at: np.ndarray | None
) -> Iterator[tuple[slice, np.ndarray, np.ndarray, np.ndarray]]:
    # For lag k: the result rows it adds to, which of them reach back before their series'
    # start (rank < k: few, so masked by index, not by a full-size where), the x of the value
    # k places back relative to the evaluated value's (a fresh array) and its y (a view).
    if at is None:
        for k in range(min(window, len(x))):
            end = len(x) - k
            outside = np.flatnonzero(rank[k:] < k)
            yield slice(k, None), outside, (x[:end] - x[k:]).astype(np.float64), y[:end]
        return
    rank_at, x_at = rank[at], x[at]
    for k in range(window):
        source = np.maximum(at - k, 0)
        outside = np.flatnonzero(rank_at < k)
        yield slice(None), outside, (x[source] - x_at).astype(np.float64), y[source]


def rolling_mean_abs(y: np.ndarray, rank: np.ndarray, window: int, at: np.ndarray) -> np.ndarray:
    """The mean absolute value of the last `window` values up to each value at `at`."""
    n = np.minimum(window, rank[at] + 1)
    total = np.zeros(len(at))
    for k in range(window):
        yk = np.abs(y[np.maximum(at - k, 0)])
        yk[rank[at] < k] = 0.0
        total += yk
    return total / n


@dataclass(frozen=True)
class Trend:
    """The trend word per evaluated value, with the numbers that decided it."""

    word: np.ndarray
    change: np.ndarray  # slope * (x_last - x_first)
    threshold: np.ndarray  # 1% of |t|, or of the mean absolute actual when t is 0
    by_target: np.ndarray  # whether the threshold came from the target
    fit_first: np.ndarray  # the line at x_first and at x_last (within-range KPIs only)
    fit_last: np.ndarray


def trend_words(fit: Fit, polarity: np.ndarray, target: np.ndarray, mean_abs: np.ndarray) -> Trend:
    """Improving, worsening or flat per fitted line.

    `target` is t (the band's middle for within-range KPIs); `mean_abs` the mean absolute
    value of the line's values, used where t is 0 or missing. Flat when the change the line
    implies over its values is within 1% of that; within range, improving means the line
    moves towards the band's middle.
    """
    change = fit.slope * (fit.x_last - fit.x_first)
    by_target = ~np.isnan(target) & (target != 0)
    threshold = TREND_SHARE * np.where(by_target, np.abs(target), mean_abs)
    # Positive when the change is good: up for higher, down for lower, nearer for within.
    better = change * (1.0 - 2.0 * (polarity == LOWER))
    fit_first = np.full(len(change), np.nan)
    fit_last = np.full(len(change), np.nan)
    within = np.flatnonzero(polarity == WITHIN)
    if len(within):
        # The line's distance to the band's middle at its first and its last value.
        fit_first[within] = fit.at(fit.x_first)[within]
        fit_last[within] = fit.at(fit.x_last)[within]
        middle = target[within]
        with np.errstate(invalid="ignore"):
            closer = np.abs(fit_last[within] - middle) - np.abs(fit_first[within] - middle)
        better[within] = -closer
    word = np.where(better > 0, IMPROVING, np.where(better < 0, WORSENING, FLAT))
    word[np.abs(change) <= threshold] = FLAT
    unknown = (fit.n < TREND_MIN_VALUES) | ((polarity == WITHIN) & np.isnan(target))
    word[unknown] = NO_TREND
    return Trend(
        word=word.astype(np.int8),
        change=change,
        threshold=threshold,
        by_target=by_target,
        fit_first=fit_first,
        fit_last=fit_last,
    )
