"""Slices of a KPI that adds up get the organisation's targets scaled by their share."""

from __future__ import annotations

from datetime import date

import polars as pl

from aligna.evaluate.allocation import allocate, map_back
from aligna.evaluate.kpis import evaluate_kpis
from aligna.evaluate.targets import expand_targets, target_periods

MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]


def _frames(total: str) -> tuple[pl.DataFrame, ...]:
    kpis = pl.DataFrame(
        {
            "kpi": [1],
            "polarity": ["higher_is_better"],
            "frequency": ["month"],
            "staleness_days": [None],
            "xmr_window": [None],
            "refresh_failed": [False],
            "refresh_error": [None],
            "breakdown_total": [total],
        },
        schema_overrides={
            "staleness_days": pl.Int64,
            "xmr_window": pl.Int64,
            "refresh_error": pl.Utf8,
        },
    )
    # Unit 10 sells 30 a month, unit 11 sells 10: shares 30*12/(40*12) = 0.75 and 0.25.
    values = pl.DataFrame(
        {
            "kpi": [1] * 36,
            "unit": [10] * 12 + [11] * 12 + [None] * 12,
            "period": MONTHS * 3,
            "value": [30.0] * 12 + [10.0] * 12 + [40.0] * 12,
        },
        schema_overrides={"unit": pl.Int64},
    )
    specs = pl.DataFrame(
        {
            "kpi": [1],
            "polarity": ["higher_is_better"],
            "frequency": ["month"],
            "set_at": [None],
            "target_value": [48.0],
            "red_flag_offset": ["-8"],
            "stretch_offset": ["+10%"],
        },
        schema_overrides={"set_at": pl.Datetime("us", "UTC")},
    )
    overrides = pl.DataFrame({"kpi": [1], "period": ["2025-12"], "target": [44.0]})
    return kpis, values, specs, overrides


def test_sum_slices_are_judged_against_their_share_of_the_target() -> None:
    kpis, values, specs, overrides = _frames("sum")
    plan = allocate(kpis, values, specs, overrides)
    assert plan.stand_ins.sort("unit")["share"].to_list() == [0.75, 0.25]
    as_of = date(2026, 1, 10)
    periods = target_periods(plan.kpis, plan.values, plan.specs, as_of)
    targets = expand_targets(plan.specs, plan.overrides, periods)
    results = evaluate_kpis(plan.kpis.drop("breakdown_total"), plan.values, targets, as_of)
    rows = map_back(results.evaluations, plan.stand_ins).filter(pl.col("period") == "2025-11")
    by_unit = {r["unit"]: r for r in rows.iter_rows(named=True)}
    # Organisation: t = 48, r = 48 - 8 = 40, s = 48 * 1.1 = 52.8; actual 40 -> at risk.
    assert (by_unit[None]["target"], by_unit[None]["red_flag"]) == (48.0, 40.0)
    assert by_unit[None]["status"] == "at_risk"
    # Unit 10: t = 0.75 * 48 = 36, r = 36 - 0.75 * 8 = 30, s = 36 * 1.1 = 39.6; actual 30.
    assert by_unit[10]["target"] == 36.0 and by_unit[10]["red_flag"] == 30.0
    assert abs(by_unit[10]["stretch"] - 39.6) < 1e-9
    assert by_unit[10]["status"] == "at_risk"
    # Unit 11: t = 12, r = 10; actual 10 sits on the red flag: at risk, score 100/3.
    assert (by_unit[11]["target"], by_unit[11]["red_flag"]) == (12.0, 10.0)
    assert abs(by_unit[11]["score"] - 100 / 3) < 1e-9
    december = map_back(results.evaluations, plan.stand_ins).filter(
        (pl.col("period") == "2025-12") & (pl.col("unit") == 11)
    )
    assert december["target"].to_list() == [11.0]  # the override 44 scaled by 0.25


def test_mean_slices_share_the_target_unchanged() -> None:
    kpis, values, specs, overrides = _frames("mean")
    plan = allocate(kpis, values, specs, overrides)
    assert plan.stand_ins.height == 0 and plan.values.height == values.height
