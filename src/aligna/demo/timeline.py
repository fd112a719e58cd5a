"""The warehouse's calendar: three years of days ending yesterday, and helpers to draw events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

EPOCH = date(1970, 1, 1)
YEAR_DAYS = 365.25


def data_start(today: date) -> date:
    """First day of the data: the start of the quarter three years back.

    Starting on a quarter boundary keeps the first month and quarter of every KPI complete.
    """
    return date(today.year - 3, 3 * ((today.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class Timeline:
    """Every day of the data as arrays: epoch day, years elapsed, day of week and of year."""

    today: date
    start: date
    days: np.ndarray  # int32 days since 1970-01-01
    t: np.ndarray  # years since the start, float
    dow: np.ndarray  # 0 = Monday
    doy: np.ndarray  # 1..366

    @classmethod
    def ending_yesterday(cls, today: date) -> Timeline:
        """The timeline from data_start(today) to the day before today."""
        start = data_start(today)
        first = (start - EPOCH).days
        days = np.arange(first, (today - EPOCH).days, dtype=np.int32)
        dates = days.astype("datetime64[D]")
        years = dates.astype("datetime64[Y]")
        doy = (dates - years).astype(np.int64) + 1
        dow = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        return cls(today, start, days, (days - first) / YEAR_DAYS, dow, doy)

    @property
    def size(self) -> int:
        """Number of days."""
        return len(self.days)

    @property
    def years_before_end(self) -> np.ndarray:
        """Years from each day to the end (0 on the last day, negative before)."""
        return self.t - self.t[-1]

    def day_of(self, days_before_today: int) -> int:
        """The epoch day a number of days before today."""
        return (self.today - timedelta(days=days_before_today) - EPOCH).days

    def since(self, days_before_today: int) -> np.ndarray:
        """Mask of days on or after the day a number of days before today."""
        return self.days >= self.day_of(days_before_today)

    def season(self, peak_doy: float, amplitude: float) -> np.ndarray:
        """A yearly cycle with mean 1 peaking on a day of the year."""
        return 1 + amplitude * np.cos(2 * np.pi * (self.doy - peak_doy) / YEAR_DAYS)

    def weekly(self, factors: Sequence[float]) -> np.ndarray:
        """A weekly pattern (Monday first) scaled to mean 1."""
        pattern = np.asarray(factors, dtype=float)
        return (pattern / pattern.mean())[self.dow]

    def growth(self, per_year: float) -> np.ndarray:
        """Compound growth reaching 1 on the last day."""
        return np.power(per_year, self.years_before_end)


def draw_events(rng: np.random.Generator, rate: np.ndarray) -> np.ndarray:
    """Day indices of events drawn from a Poisson rate per day, in date order."""
    return np.repeat(np.arange(len(rate)), rng.poisson(np.maximum(rate, 0)))


def weighted_choice(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """Indices drawn with the given (not necessarily normalised) weights."""
    cumulative = np.cumsum(np.asarray(weights, dtype=float))
    picks = np.searchsorted(cumulative, rng.random(size) * cumulative[-1], side="right")
    return np.minimum(picks, len(cumulative) - 1)


def dates(epoch_days: np.ndarray) -> pa.Array:
    """An Arrow date column from epoch days."""
    return pa.array(np.asarray(epoch_days, dtype=np.int32), type=pa.date32())


def nullable_dates(epoch_days: np.ndarray, present: np.ndarray) -> pa.Array:
    """An Arrow date column that is null where `present` is false."""
    return pa.array(np.asarray(epoch_days, dtype=np.int32), type=pa.date32(), mask=~present)


def labels(indices: np.ndarray, names: Sequence[str]) -> pa.Array:
    """An Arrow text column from indices into a list of names (stored compactly)."""
    return pa.DictionaryArray.from_arrays(
        pa.array(np.asarray(indices, dtype=np.int32)), pa.array(list(names), type=pa.string())
    )


def money(values: np.ndarray) -> np.ndarray:
    """Amounts rounded to cents."""
    return np.round(values, 2)
