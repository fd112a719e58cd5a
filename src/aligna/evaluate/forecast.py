"""Forecast: will each series meet its final target by the end of its trajectory?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aligna.evaluate.layout import HIGHER, LOWER, WITHIN
from aligna.evaluate.trend import Fit, rolling_fit

FORECAST_VALUES = 12
FORECAST_MIN_VALUES = 3
NO_REACH = np.iinfo(np.int64).min
# A line that needs more than a century to reach its target never does, for a KPI.
HORIZON_PERIODS = np.array([36525, 5218, 1200, 400])  # 100 years by frequency code


@dataclass(frozen=True)
class Forecast:
    """Per forecast series: the fitted line, where it lands and when it reaches the target."""

    index: np.ndarray  # which of the given series have a forecast
    fit: Fit
    end: np.ndarray  # ordinal of the end period
    final: np.ndarray  # the final target (within range: the band's middle)
    lo: np.ndarray
    hi: np.ndarray
    projected: np.ndarray
    meets: np.ndarray
    reach: np.ndarray  # ordinal of the first period the line reaches the target, or NO_REACH


def forecast(
    x: np.ndarray,
    y: np.ndarray,
    rank: np.ndarray,
    last: np.ndarray,
    polarity: np.ndarray,
    frequency: np.ndarray,
    end: np.ndarray,
    target: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
) -> Forecast:
    """Fit the last 12 values up to each series' `last` value and extrapolate to `end`.

    `x`, `y`, `rank` are the closed values of all series back to back; the other arguments
    are per series (`last` = -1: no values). Series with fewer than 3 values, or without a
    final target, get no forecast.
    """
    within = polarity == WITHIN
    final = np.where(within, (lo + hi) / 2, target)
    count = np.where(last >= 0, rank[np.maximum(last, 0)] + 1, 0)
    chosen = np.flatnonzero((count >= FORECAST_MIN_VALUES) & ~np.isnan(final))
    fit = rolling_fit(x, y, rank, FORECAST_VALUES, at=last[chosen])
    polarity, final = polarity[chosen], final[chosen]
    lo, hi, end = lo[chosen], hi[chosen], end[chosen]
    projected = fit.at(end)
    meets = _meets(polarity, projected, final, lo, hi)
    reach = _reach(fit, polarity, final, lo, hi, frequency[chosen])
    return Forecast(
        index=chosen,
        fit=fit,
        end=end,
        final=final,
        lo=lo,
        hi=hi,
        projected=projected,
        meets=meets,
        reach=reach,
    )


def _meets(
    polarity: np.ndarray, value: np.ndarray, final: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    # Equality meets.
    return np.select(
        [polarity == HIGHER, polarity == LOWER],
        [value >= final, value <= final],
        (value >= lo) & (value <= hi),
    )


def _reach(
    fit: Fit,
    polarity: np.ndarray,
    final: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    frequency: np.ndarray,
) -> np.ndarray:
    """The first period after the last value at which the line meets the final target."""
    first = fit.x_last + 1
    level = fit.at(first)
    # The edge the line must cross and whether it is heading there.
    below_band = level < lo
    edge = np.select([polarity == HIGHER, polarity == LOWER, below_band], [final, final, lo], hi)
    rising = np.select(
        [polarity == HIGHER, polarity == LOWER, below_band], [True, False, True], False
    )
    heading = np.where(rising, fit.slope > 0, fit.slope < 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        crossing = fit.x_last + fit.mean_x + (edge - fit.mean_y) / fit.slope
    cap = first + HORIZON_PERIODS[frequency]
    usable = heading & np.isfinite(crossing) & (crossing <= cap)
    candidate = np.maximum(np.ceil(np.where(usable, crossing, 0)).astype(np.int64), first)
    # Rounding in the division can put the ceiling one period off either way: check both.
    earlier = candidate - 1
    candidate = np.where(
        (earlier >= first) & _meets(polarity, fit.at(earlier), final, lo, hi), earlier, candidate
    )
    later = candidate + 1
    met = _meets(polarity, fit.at(candidate), final, lo, hi)
    met_later = _meets(polarity, fit.at(later), final, lo, hi)
    candidate = np.where(met, candidate, later)
    reached = usable & (met | met_later) & (candidate <= cap)
    already = _meets(polarity, level, final, lo, hi)
    return np.where(already, first, np.where(reached, candidate, NO_REACH))
