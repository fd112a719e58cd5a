"""Targets placed on the series grid, and each KPI's forecast end period and final target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from aligna.evaluate.layout import Grid, KpiTable
from aligna.evaluate.ordinals import FREQUENCIES, day_ordinals, parse_periods

TARGET_COLUMNS: tuple[str, ...] = (
    "target",
    "red_flag",
    "stretch",
    "lo",
    "hi",
    "red_lo",
    "red_hi",
)
NO_ORDINAL = np.iinfo(np.int64).min


@dataclass(frozen=True)
class PlacedTargets:
    """Targets per grid row, and per KPI the forecast's end period and the targets there."""

    columns: dict[str, np.ndarray]  # per targets row
    source: np.ndarray  # per grid row: its targets row, -1 when it has none
    end: np.ndarray  # per KPI: ordinal of the forecast's end period
    final: dict[str, np.ndarray]  # per KPI: targets of the end period, NaN where not given

    def part(self, first: int, last: int) -> PlacedTargets:
        """The targets of grid rows first..last-1 (per-KPI arrays are shared)."""
        return PlacedTargets(self.columns, self.source[first:last], self.end, self.final)

    @property
    def rows(self) -> dict[str, np.ndarray]:
        """Per grid row: target, red_flag, stretch, lo, hi, red_lo, red_hi (NaN: none)."""
        # Gathered per part, inside the worker threads, while the arrays are small.
        missing = np.flatnonzero(self.source < 0)
        index = np.maximum(self.source, 0)
        out = {}
        for name, values in self.columns.items():
            picked = values[index] if len(values) else np.full(len(index), np.nan)
            picked[missing] = np.nan
            out[name] = picked
        return out


def forecast_end(
    table: KpiTable, target_by: np.ndarray, kpi: np.ndarray | None = None
) -> np.ndarray:
    """The forecast's end period per KPI: its trajectory's end while that is still ahead,
    else the period holding 31 December of the as_of year (the target holds after its end)."""
    kpi = np.arange(len(table.ids)) if kpi is None else kpi
    december_31 = (date(table.as_of.year, 12, 31) - date(1970, 1, 1)).days
    year_end = day_ordinals(np.full(len(kpi), december_31), table.frequency[kpi])
    current = table.current[kpi]
    return np.where((target_by != NO_ORDINAL) & (target_by >= current), target_by, year_end)


def place_targets(table: KpiTable, grid: Grid, targets: pl.DataFrame) -> PlacedTargets:
    """Look up each grid row's targets (slices share their KPI's) and each KPI's final target."""
    n_kpis = len(table.ids)
    # Each KPI's dense run of periods: from its earliest series start to the current period.
    lo = np.full(n_kpis, np.iinfo(np.int64).max)
    np.minimum.at(lo, grid.kpi, grid.first)
    length = np.where(lo <= table.current, table.current - lo + 1, 0)
    start = np.concatenate(([0], np.cumsum(length)))[:-1]

    if "kpi" not in targets.columns or "period" not in targets.columns:
        raise ValueError("targets need kpi and period columns, expected expand_targets' output")
    kpi = table.find(targets["kpi"].fill_null(-1).to_numpy().astype(np.int64))
    codes, ordinal = parse_periods(targets["period"])
    known = kpi >= 0
    k = np.maximum(kpi, 0)
    expected = table.frequency[k]
    bad = known & (codes != expected)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"target period '{targets['period'][i]}' of kpi {table.ids[kpi[i]]} is not a "
            f"{FREQUENCIES[expected[i]]} period"
        )
    # Which targets row serves each slot of the KPIs' runs (-1: none), then each grid row.
    inside = np.flatnonzero(known & (ordinal >= lo[k]) & (ordinal <= table.current[k]))
    slot = start[k[inside]] + ordinal[inside] - lo[k[inside]]
    source = np.full(int(length.sum()), -1, dtype=np.int64)
    source[slot] = inside
    if len(slot) and (source[slot] != inside).any():
        i = int(inside[np.flatnonzero(source[slot] != inside)[0]])
        raise ValueError(
            f"targets hold kpi {table.ids[kpi[i]]} period '{targets['period'][i]}' more than "
            "once, expected one row per kpi and period"
        )
    row_kpi = grid.kpi[grid.series]
    row_source = source[start[row_kpi] + grid.ordinal - lo[row_kpi]]
    columns = {name: _floats(targets, name) for name in TARGET_COLUMNS}

    # The trajectory's end as the current period sees it decides the forecast's end.
    now = np.flatnonzero(known & (ordinal == table.current[k]))
    by_now = np.full(n_kpis, NO_ORDINAL)
    by_now[kpi[now]] = _target_by(targets, now, expected[now])
    end = forecast_end(table, by_now)
    at_end = np.flatnonzero(known & (ordinal == end[k]))
    final: dict[str, np.ndarray] = {}
    for name, values in columns.items():
        per_kpi = np.full(n_kpis, np.nan)
        per_kpi[kpi[at_end]] = values[at_end]
        final[name] = per_kpi
    return PlacedTargets(columns=columns, source=row_source, end=end, final=final)


def _floats(frame: pl.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(frame.height, np.nan)
    column = frame[name]
    if column.dtype != pl.Float64:
        column = column.cast(pl.Float64)
    return column.fill_null(np.nan).to_numpy() if column.null_count() else column.to_numpy()


def _target_by(targets: pl.DataFrame, rows: np.ndarray, expected: np.ndarray) -> np.ndarray:
    if "target_by" not in targets.columns or len(rows) == 0:
        return np.full(len(rows), NO_ORDINAL)
    text = targets["target_by"].gather(rows)
    codes, ordinal = parse_periods(text)
    given = text.is_not_null().to_numpy()
    bad = given & (codes != expected)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"target_by '{text[i]}' is not a {FREQUENCIES[expected[i]]} period")
    return np.where(given, ordinal, NO_ORDINAL)
