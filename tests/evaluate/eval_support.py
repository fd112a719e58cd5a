"""Builders for the KPI evaluation tests: small frames from a few hand-written numbers."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from aligna.evaluate import (
    OVERRIDE_SCHEMA,
    SPEC_SCHEMA,
    KpiResults,
    evaluate_kpis,
    expand_targets,
    no_overrides,
    target_periods,
)

VALUE_SCHEMA = {"kpi": pl.Int64, "unit": pl.Int64, "period": pl.String, "value": pl.Float64}


def kpis_frame(*rows: dict[str, Any]) -> pl.DataFrame:
    """KPIs with defaults: higher-is-better, monthly, default staleness and window, fresh."""
    defaults = {
        "polarity": "higher_is_better",
        "frequency": "month",
        "staleness_days": None,
        "xmr_window": None,
        "refresh_failed": False,
        "refresh_error": None,
    }
    return pl.DataFrame(
        [defaults | row for row in rows],
        schema={
            "kpi": pl.Int64,
            "polarity": pl.String,
            "frequency": pl.String,
            "staleness_days": pl.Int64,
            "xmr_window": pl.Int64,
            "refresh_failed": pl.Boolean,
            "refresh_error": pl.String,
        },
    )


def specs_frame(*rows: dict[str, Any]) -> pl.DataFrame:
    """Target versions; unnamed columns are null."""
    filled = [{"polarity": "higher_is_better", "frequency": "month"} | row for row in rows]
    return pl.DataFrame(filled, schema=SPEC_SCHEMA)


def overrides_frame(*rows: dict[str, Any]) -> pl.DataFrame:
    """Per-period overrides; unnamed columns are null."""
    return pl.DataFrame(list(rows), schema=OVERRIDE_SCHEMA) if rows else no_overrides()


def values_frame(rows: list[tuple[int, int | None, str, float]]) -> pl.DataFrame:
    """Values from (kpi, unit, period, value) tuples."""
    return pl.DataFrame(rows, schema=VALUE_SCHEMA, orient="row")


def months(first: str, count: int) -> list[str]:
    """`count` consecutive months from `first` (YYYY-MM)."""
    year, month = (int(part) for part in first.split("-"))
    start = year * 12 + month - 1
    return [f"{m // 12}-{m % 12 + 1:02d}" for m in range(start, start + count)]


def monthly(kpi: int, first: str, values: list[float | None], unit: int | None = None) -> list:
    """(kpi, unit, period, value) rows for consecutive months; None leaves a month out."""
    return [
        (kpi, unit, period, value)
        for period, value in zip(months(first, len(values)), values, strict=True)
        if value is not None
    ]


def evaluate(
    kpis: pl.DataFrame,
    values: pl.DataFrame,
    specs: pl.DataFrame,
    as_of: date,
    overrides: pl.DataFrame | None = None,
    *,
    details: bool = False,
) -> KpiResults:
    """The whole pipeline: target periods, targets, evaluation."""
    periods = target_periods(kpis, values, specs, as_of)
    targets = expand_targets(specs, overrides if overrides is not None else no_overrides(), periods)
    return evaluate_kpis(kpis, values, targets, as_of, details=details)


def one_series(
    values: list[float | None],
    *,
    first: str = "2025-01",
    as_of: date,
    polarity: str = "higher_is_better",
    kpi: dict[str, Any] | None = None,
    **spec: Any,
) -> KpiResults:
    """Evaluate one monthly KPI (id 1) with the given values and target spec columns."""
    kpis = kpis_frame({"kpi": 1, "polarity": polarity, **(kpi or {})})
    specs = specs_frame({"kpi": 1, "polarity": polarity, **spec}) if spec else specs_frame()
    return evaluate(kpis, values_frame(monthly(1, first, values)), specs, as_of)


def column(results: KpiResults, name: str) -> list[Any]:
    """One evaluations column as a list."""
    return results.evaluations[name].to_list()
