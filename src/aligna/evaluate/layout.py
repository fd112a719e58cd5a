"""The series layout: KPIs as arrays, and every series as a dense run of periods.

A series is one KPI (unit null) or one unit's slice of a broken-down KPI. Its rows run from
its first value up to the current period, one row per period, missing periods included, all
series one after the other in (kpi, unit, period) order. Everything downstream is arithmetic
on these flat numpy arrays, so there is no Python loop per KPI anywhere.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from aligna.evaluate.ordinals import FREQUENCIES, day_ordinals, frequency_codes, parse_periods

HIGHER, LOWER, WITHIN = 0, 1, 2
POLARITIES: tuple[str, ...] = ("higher_is_better", "lower_is_better", "within_range")
STALENESS_DAYS = np.array([3, 14, 45, 120])  # by frequency code: day, week, month, quarter
XMR_WINDOW = 12
XMR_MIN_VALUES = 6
_NULL_UNIT = np.iinfo(np.int64).min  # sorts a KPI's own series before its unit slices


@dataclass(frozen=True)
class KpiTable:
    """The KPIs sorted by id, as arrays."""

    ids: np.ndarray
    polarity: np.ndarray
    frequency: np.ndarray
    staleness_days: np.ndarray
    xmr_window: np.ndarray
    refresh_failed: np.ndarray
    refresh_error: pl.Series
    current: np.ndarray  # the ordinal of the period containing as_of
    as_of: date
    as_of_day: int  # days since 1970-01-01

    def index(self, kpi: np.ndarray, *, what: str) -> np.ndarray:
        """Positions of KPI ids in this table; unknown ids are an error naming `what`."""
        found = self.find(kpi)
        if (found < 0).any():
            shown = kpi[np.flatnonzero(found < 0)[0]]
            raise ValueError(f"{what} name kpi {shown}, which is not in kpis")
        return found

    def find(self, kpi: np.ndarray) -> np.ndarray:
        """Positions of KPI ids in this table, -1 for unknown ids."""
        return lookup(self.ids, kpi)


def lookup(sorted_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Positions of ids in a sorted array of distinct ids, -1 where absent."""
    ids = np.asarray(ids, dtype=np.int64)
    if len(sorted_ids) == 0:
        return np.full(len(ids), -1, dtype=np.int64)
    lo, hi = int(sorted_ids[0]), int(sorted_ids[-1])
    if lo >= 0 and hi < 8 * len(sorted_ids) + 1_000_000:
        # Database ids are small and dense: a direct table beats a binary search 10x.
        table = np.full(hi + 2, -1, dtype=np.int64)
        table[sorted_ids] = np.arange(len(sorted_ids))
        return table[np.clip(ids, -1, hi + 1)]
    at = np.clip(np.searchsorted(sorted_ids, ids), 0, len(sorted_ids) - 1)
    return np.where(sorted_ids[at] == ids, at, -1)


def kpi_table(kpis: pl.DataFrame, as_of: date) -> KpiTable:
    """Read the `kpis` frame: defaults filled, codes for words, sorted by id."""
    frame = kpis.sort("kpi")
    ids = frame["kpi"].to_numpy().astype(np.int64)
    if frame["kpi"].null_count() or (np.diff(ids) == 0).any():
        raise ValueError("kpis must name each kpi once, expected distinct non-null ids")
    known = frame["polarity"].cast(pl.String).cast(pl.Enum(POLARITIES), strict=False)
    if known.null_count():
        shown = frame.filter(known.is_null())["polarity"][0]
        raise ValueError(f"polarity '{shown}' is not one of {', '.join(POLARITIES)}")
    frequency = frequency_codes(frame["frequency"])
    staleness = _column(frame, "staleness_days", pl.Int64)
    window = _column(frame, "xmr_window", pl.Int64)
    staleness = np.where(staleness.is_null(), STALENESS_DAYS[frequency], staleness.fill_null(0))
    window = window.fill_null(XMR_WINDOW).to_numpy().astype(np.int64)
    if (window < XMR_MIN_VALUES).any():
        i = int(np.flatnonzero(window < XMR_MIN_VALUES)[0])
        raise ValueError(
            f"xmr_window {window[i]} of kpi {ids[i]} is too small, expected at least "
            f"{XMR_MIN_VALUES} (signals need 6 values)"
        )
    as_of_day = (as_of - date(1970, 1, 1)).days
    return KpiTable(
        ids=ids,
        polarity=known.to_physical().to_numpy().astype(np.int8),
        frequency=frequency,
        staleness_days=np.asarray(staleness, dtype=np.int64),
        xmr_window=window,
        refresh_failed=_column(frame, "refresh_failed", pl.Boolean).fill_null(False).to_numpy(),
        refresh_error=_column(frame, "refresh_error", pl.String),
        current=day_ordinals(np.full(len(ids), as_of_day), frequency),
        as_of=as_of,
        as_of_day=as_of_day,
    )


def _column(frame: pl.DataFrame, name: str, dtype: pl.DataType) -> pl.Series:
    # Optional input columns read as all-null when absent.
    if name in frame.columns:
        return frame[name].cast(dtype)
    return pl.Series(name, [None] * frame.height, dtype=dtype)


@dataclass(frozen=True)
class Grid:
    """Every series as a dense run of periods up to the current one."""

    kpi: np.ndarray  # per series: position in the KpiTable
    unit: np.ndarray  # per series: unit id, _NULL_UNIT for the KPI as a whole
    first: np.ndarray  # per series: ordinal of its first value
    offsets: np.ndarray  # per series, plus one: where its rows start
    series: np.ndarray  # per row
    ordinal: np.ndarray  # per row
    value: np.ndarray  # per row, NaN when the period has no value
    has: np.ndarray  # per row: the period has a value

    @property
    def unit_is_null(self) -> np.ndarray:
        """Per series: it is the KPI as a whole, not a unit's slice."""
        return self.unit == _NULL_UNIT

    def part(self, first: int, last: int) -> Grid:
        """Series first..last-1 as a grid of their own (row arrays are views)."""
        r0, r1 = int(self.offsets[first]), int(self.offsets[last])
        return Grid(
            kpi=self.kpi[first:last],
            unit=self.unit[first:last],
            first=self.first[first:last],
            offsets=self.offsets[first : last + 1] - r0,
            series=self.series[r0:r1] - first,
            ordinal=self.ordinal[r0:r1],
            value=self.value[r0:r1],
            has=self.has[r0:r1],
        )

    def chunks(self, rows: int) -> list[tuple[int, int]]:
        """Split the series into runs of about `rows` rows, at series boundaries."""
        cuts = np.searchsorted(self.offsets, np.arange(rows, int(self.offsets[-1]), rows))
        bounds = np.unique(np.concatenate(([0], cuts, [len(self.kpi)])))
        return [(int(a), int(b)) for a, b in itertools.pairwise(bounds)]


def read_values(
    table: KpiTable, values: pl.DataFrame, *, units: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """KPI position, unit, ordinal and value of each value up to the current period.

    Values after the current period are ignored; a null or NaN value is no value. A period
    not at the KPI's frequency, or a KPI not in the table, is an error.
    """
    kpi = table.index(values["kpi"].to_numpy().astype(np.int64), what="values")
    codes, ordinal = parse_periods(values["period"])
    frequency = table.frequency[kpi]
    if (codes != frequency).any():
        i = int(np.flatnonzero(codes != frequency)[0])
        raise ValueError(
            f"value period '{values['period'][i]}' of kpi {table.ids[kpi[i]]} is not a "
            f"{FREQUENCIES[frequency[i]]} period, expected values at the KPI's frequency "
            "(aggregate_to_frequency makes them so)"
        )
    unit = (
        values["unit"].cast(pl.Int64).fill_null(_NULL_UNIT).to_numpy()
        if units
        else np.zeros(0, dtype=np.int64)
    )
    value = values["value"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    keep = (ordinal <= table.current[kpi]) & ~np.isnan(value)
    if not keep.all():
        kpi, ordinal, value = kpi[keep], ordinal[keep], value[keep]
        unit = unit[keep] if units else unit
    return kpi, unit, ordinal, value


def build_grid(table: KpiTable, values: pl.DataFrame) -> Grid:
    """Lay the values out as dense series from each series' first value to the current period."""
    kpi, unit, ordinal, value = read_values(table, values)
    kpi, unit, ordinal, value = _sorted(kpi, unit, ordinal, value, table)

    starts = (
        np.flatnonzero(np.concatenate(([True], (np.diff(kpi) != 0) | (np.diff(unit) != 0))))
        if len(kpi)
        else np.zeros(0, dtype=np.int64)
    )
    s_kpi, s_unit, s_first = kpi[starts], unit[starts], ordinal[starts]
    lengths = table.current[s_kpi] - s_first + 1
    offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    size = int(offsets[-1])
    series = np.repeat(np.arange(len(starts)), lengths)
    row_ordinal = s_first[series] + np.arange(size) - offsets[series]
    row_value = np.full(size, np.nan)
    value_series = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(kpi))))
    row_value[offsets[value_series] + ordinal - s_first[value_series]] = value
    return Grid(
        kpi=s_kpi,
        unit=s_unit,
        first=s_first,
        offsets=offsets,
        series=series,
        ordinal=row_ordinal,
        value=row_value,
        has=~np.isnan(row_value),
    )


def _sorted(
    kpi: np.ndarray, unit: np.ndarray, ordinal: np.ndarray, value: np.ndarray, table: KpiTable
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    # Values usually arrive sorted; checking costs a few ms, sorting 2.4M rows ~100 ms.
    if len(kpi) > 1:
        dk, du, do = np.diff(kpi), np.diff(unit), np.diff(ordinal)
        ascending = (dk > 0) | ((dk == 0) & ((du > 0) | ((du == 0) & (do > 0))))
        if not ascending.all():
            order = (
                pl.DataFrame({"k": kpi, "u": unit, "o": ordinal})
                .select(pl.arg_sort_by("k", "u", "o"))
                .to_series()
                .to_numpy()
            )
            kpi, unit, ordinal, value = kpi[order], unit[order], ordinal[order], value[order]
            same = (np.diff(kpi) == 0) & (np.diff(unit) == 0) & (np.diff(ordinal) == 0)
            if same.any():
                i = int(np.flatnonzero(same)[0])
                shown = "the organisation" if unit[i] == _NULL_UNIT else f"unit {unit[i]}"
                raise ValueError(
                    f"values hold more than one value for kpi {table.ids[kpi[i]]}, {shown}, "
                    f"period ordinal {ordinal[i]}, expected one per period"
                )
    return kpi, unit, ordinal, value


def series_counts(grid: Grid, mask: np.ndarray) -> np.ndarray:
    """Per row: how many rows of its series up to and including it satisfy the mask."""
    running = np.cumsum(mask, dtype=np.int64)
    before = np.concatenate(([0], running))[grid.offsets[:-1]]
    return running - before[grid.series]


def last_in_series(grid: Grid, mask: np.ndarray) -> np.ndarray:
    """Per series: the index of its last row satisfying the mask, -1 when none does."""
    marked = np.where(mask, np.arange(len(mask)), -1)
    if len(marked) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.maximum.reduceat(marked, grid.offsets[:-1]) if len(grid.kpi) else marked[:0]
