"""Evaluate every KPI and unit slice for every period at once: the evaluation stage's core."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from aligna.evaluate.layout import Grid, KpiTable, build_grid, kpi_table
from aligna.evaluate.ordinals import FREQUENCIES, PeriodNames
from aligna.evaluate.placement import place_targets
from aligna.evaluate.rows import PartEvaluation

EVALUATION_COLUMNS: tuple[str, ...] = (
    "kpi",
    "unit",
    "period",
    "partial",
    "actual",
    "target",
    "red_flag",
    "stretch",
    "lo",
    "hi",
    "red_lo",
    "red_hi",
    "variance",
    "percent_of_target",
    "status",
    "score",
    "trend",
    "centre",
    "lower_limit",
    "upper_limit",
    "upper_range_limit",
    "signals",
    "stale_reason",
)
FORECAST_COLUMNS: tuple[str, ...] = (
    "kpi",
    "unit",
    "end_period",
    "final_target",
    "projected",
    "slope",
    "meets",
    "reach_period",
)
# Series are evaluated in runs of about this many rows: arrays that fit in the CPU's cache,
# and runs that threads can share (numpy releases the GIL inside its loops).
CHUNK_ROWS = 1 << 18


@dataclass(frozen=True)
class KpiResults:
    """Evaluations per (kpi, unit, period) and forecasts per (kpi, unit)."""

    evaluations: pl.DataFrame
    forecasts: pl.DataFrame


def evaluate_kpis(
    kpis: pl.DataFrame,
    values: pl.DataFrame,
    targets: pl.DataFrame,
    as_of: date,
    *,
    details: bool = False,
) -> KpiResults:
    """Status, score, trend, XmR signals and forecast of every series, vectorised.

    `kpis`: kpi, polarity, frequency, staleness_days, xmr_window, refresh_failed,
    refresh_error. `values`: kpi, unit, period, value at each KPI's frequency (see
    `aggregate_to_frequency`). `targets`: the output of `expand_targets` for
    `target_periods(...)` (slices share their KPI's targets). With `details`, both frames
    carry the intermediate numbers that `explain_kpi` shows.
    """
    table = kpi_table(kpis, as_of)
    grid = build_grid(table, values)
    placed = place_targets(table, grid, targets)
    names = _period_names(table, grid)

    def run(bounds: tuple[int, int]) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Evaluate one run of series."""
        first, last = bounds
        rows = slice(int(grid.offsets[first]), int(grid.offsets[last]))
        part = PartEvaluation(
            table,
            grid.part(first, last),
            placed.part(rows.start, rows.stop),
            names,
            details=details,
        )
        return part.evaluations(), part.forecasts()

    chunks = grid.chunks(CHUNK_ROWS) or [(0, 0)]
    workers = min(len(chunks), os.cpu_count() or 1)
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(run, chunks))
    else:
        parts = [run(bounds) for bounds in chunks]
    return KpiResults(
        evaluations=pl.concat([p[0] for p in parts], rechunk=False),
        forecasts=pl.concat([p[1] for p in parts], rechunk=False),
    )


def _period_names(table: KpiTable, grid: Grid) -> PeriodNames:
    """The texts of every period a series row can have, per frequency, made once."""
    codes = len(FREQUENCIES)
    lo = np.full(codes, np.iinfo(np.int64).max)
    hi = np.full(codes, np.iinfo(np.int64).min)
    frequency = table.frequency[grid.kpi]
    np.minimum.at(lo, frequency, grid.first)
    np.maximum.at(hi, frequency, table.current[grid.kpi])
    return PeriodNames(np.where(lo <= hi, lo, 0), np.where(lo <= hi, hi, -1))
