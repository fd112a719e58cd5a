"""Rows per series: missing periods, the current (partial) period, stale data, unit slices."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from eval_support import evaluate, kpis_frame, monthly, one_series, specs_frame, values_frame

from aligna.evaluate import (
    EVALUATION_COLUMNS,
    FORECAST_COLUMNS,
    evaluate_kpis,
    expand_targets,
    no_overrides,
)

TARGET = {"target_value": 100.0, "red_flag_value": 90.0}


def test_one_row_per_period_from_the_first_value_to_the_current_period() -> None:
    # Values for October and December; November missing; evaluated on 10 January 2026.
    results = one_series([95.0, None, 105.0], first="2025-10", as_of=date(2026, 1, 10), **TARGET)
    frame = results.evaluations
    assert tuple(frame.columns) == EVALUATION_COLUMNS
    assert tuple(results.forecasts.columns) == FORECAST_COLUMNS
    assert frame.select("period", "partial", "actual", "target", "status").rows() == [
        ("2025-10", False, 95.0, 100.0, "at_risk"),
        ("2025-11", False, None, 100.0, "no_data"),  # missing, still with its target
        ("2025-12", False, 105.0, 100.0, "on_track"),
        ("2026-01", True, None, 100.0, None),  # the current period: partial, no status
    ]
    assert frame["score"][1] is None


def test_the_current_period_shows_its_value_so_far_without_status() -> None:
    results = one_series([95.0, 50.0], first="2025-12", as_of=date(2026, 1, 20), **TARGET)
    current = results.evaluations.row(-1, named=True)
    # Partial: actual so far 50 against t = 100; no status, score or trend; no signals.
    assert (current["partial"], current["actual"], current["variance"]) == (True, 50.0, -50.0)
    assert (current["status"], current["score"], current["trend"]) == (None, None, None)
    assert current["signals"] == []


def test_later_periods_are_ignored() -> None:
    results = one_series([95.0, None, 99.0], first="2025-12", as_of=date(2026, 1, 20), **TARGET)
    # The February value lies after the current period (January): no row for it.
    assert results.evaluations["period"].to_list() == ["2025-12", "2026-01"]


def test_a_failed_refresh_makes_the_latest_closed_period_stale() -> None:
    results = one_series(
        [95.0, 98.0],
        first="2025-11",
        as_of=date(2026, 1, 10),
        kpi={"refresh_failed": True, "refresh_error": "relation sales does not exist"},
        **TARGET,
    )
    frame = results.evaluations
    assert frame.select("period", "status", "stale_reason").rows() == [
        ("2025-11", "at_risk", ""),
        ("2025-12", "stale", "relation sales does not exist"),
        ("2026-01", None, ""),
    ]
    # The score of the stale period's value stays: 98 is 8/10 of the way from r to t:
    # 100/3 + 8 * (100/3) / 10 = 60.
    assert frame["score"][1] == pytest.approx(60.0)


def test_a_failed_refresh_without_message() -> None:
    results = one_series(
        [95.0], first="2025-12", as_of=date(2026, 1, 10), kpi={"refresh_failed": True}, **TARGET
    )
    assert results.evaluations["stale_reason"][0] == "refresh failed"


@pytest.mark.parametrize(
    ("as_of", "status", "reason"),
    [
        # The last value is October's (ended 31 October); the monthly limit is 45 days.
        # 14 December: current December, latest closed November; 44 days: fresh.
        (date(2025, 12, 14), "no_data", ""),
        # 15 December: exactly 45 days: not beyond the limit.
        (date(2025, 12, 15), "no_data", ""),
        # 16 December: 46 days: stale.
        (date(2025, 12, 16), "stale", "no value for 46 days (limit 45)"),
    ],
)
def test_too_old_a_value_makes_the_latest_period_stale(
    as_of: date, status: str, reason: str
) -> None:
    results = one_series([95.0], first="2025-10", as_of=as_of, **TARGET)
    november = results.evaluations.filter(pl.col("period") == "2025-11").row(0, named=True)
    assert (november["status"], november["stale_reason"]) == (status, reason)
    # Stale, November carries the score of the last value (October's 95: half way from
    # r = 90 to t = 100, 100/3 + 5 * (100/3) / 10 = 50) so that it still rolls up.
    assert november["score"] == (pytest.approx(50.0) if status == "stale" else None)


def test_a_kpi_sets_its_own_staleness_and_both_causes_are_shown() -> None:
    results = one_series(
        [95.0],
        first="2025-10",
        as_of=date(2025, 12, 1),
        kpi={"staleness_days": 20, "refresh_failed": True, "refresh_error": "timeout"},
        **TARGET,
    )
    # 31 October to 1 December: 31 days > 20.
    assert results.evaluations["stale_reason"][1] == "timeout; no value for 31 days (limit 20)"


def test_weekly_and_quarterly_staleness_defaults() -> None:
    kpis = kpis_frame({"kpi": 1, "frequency": "week"}, {"kpi": 2, "frequency": "quarter"})
    values = values_frame([(1, None, "2026-W01", 1.0), (2, None, "2025-Q2", 1.0)])
    results = evaluate(kpis, values, specs_frame(), date(2026, 1, 19))
    frame = results.evaluations.filter(pl.col("stale_reason") != "")
    # Monday 19 January opens week 4, so the latest closed week is week 3 (12-18 January);
    # week 1 ended Sunday 4 January: 15 days > 14. Q2 2025 ended 30 June: 203 days > 120
    # (the latest closed quarter, Q4 2025, is the stale row).
    assert frame.select("kpi", "period", "stale_reason").rows() == [
        (1, "2026-W03", "no value for 15 days (limit 14)"),
        (2, "2025-Q4", "no value for 203 days (limit 120)"),
    ]


def test_unit_slices_are_series_of_their_own_sharing_the_kpi_target() -> None:
    kpis = kpis_frame({"kpi": 1})
    values = values_frame(
        monthly(1, "2025-11", [95.0, 105.0])
        + monthly(1, "2025-11", [80.0, None], unit=7)
        + monthly(1, "2025-12", [101.0], unit=3)
    )
    specs = specs_frame({"kpi": 1, **TARGET})
    results = evaluate(kpis, values, specs, date(2026, 1, 10))
    assert results.evaluations.select("unit", "period", "actual", "target", "status").rows() == [
        (None, "2025-11", 95.0, 100.0, "at_risk"),
        (None, "2025-12", 105.0, 100.0, "on_track"),
        (None, "2026-01", None, 100.0, None),
        (3, "2025-12", 101.0, 100.0, "on_track"),
        (3, "2026-01", None, 100.0, None),
        (7, "2025-11", 80.0, 100.0, "off_track"),
        (7, "2025-12", None, 100.0, "no_data"),
        (7, "2026-01", None, 100.0, None),
    ]


def test_values_in_any_order_give_the_same_rows() -> None:
    rows = monthly(1, "2025-01", [1.0, 2.0, 3.0, 4.0]) + monthly(2, "2025-02", [5.0, 6.0])
    kpis = kpis_frame({"kpi": 1}, {"kpi": 2})
    specs = specs_frame({"kpi": 1, **TARGET}, {"kpi": 2, **TARGET})
    ordered = evaluate(kpis, values_frame(rows), specs, date(2025, 6, 2))
    shuffled = evaluate(kpis, values_frame(rows[::-1]), specs, date(2025, 6, 2))
    assert ordered.evaluations.equals(shuffled.evaluations)


def test_two_values_for_one_period_are_an_error() -> None:
    values = values_frame([(1, None, "2025-01", 1.0), (1, None, "2025-01", 2.0)])
    with pytest.raises(ValueError, match="more than one value for kpi 1"):
        evaluate(kpis_frame({"kpi": 1}), values, specs_frame(), date(2025, 3, 1))


def test_a_value_at_another_frequency_is_an_error() -> None:
    values = values_frame([(1, None, "2025-01-15", 1.0)])
    periods = pl.DataFrame({"kpi": [1], "period": ["2025-01"]})
    targets = expand_targets(specs_frame(), no_overrides(), periods)
    with pytest.raises(ValueError, match="value period '2025-01-15' of kpi 1 is not a month"):
        evaluate_kpis(kpis_frame({"kpi": 1}), values, targets, date(2025, 3, 1))


def test_values_of_an_unknown_kpi_are_an_error() -> None:
    values = values_frame([(9, None, "2025-01", 1.0)])
    with pytest.raises(ValueError, match="values name kpi 9, which is not in kpis"):
        evaluate(kpis_frame({"kpi": 1}), values, specs_frame(), date(2025, 3, 1))


def test_no_values_no_rows() -> None:
    results = evaluate(kpis_frame({"kpi": 1}), values_frame([]), specs_frame(), date(2025, 3, 1))
    assert results.evaluations.height == 0
    assert tuple(results.evaluations.columns) == EVALUATION_COLUMNS
    assert results.forecasts.height == 0
