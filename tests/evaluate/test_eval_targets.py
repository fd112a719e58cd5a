"""Targets per period: trajectories, offsets, defaults, overrides, versions, bands, periods."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest
from eval_support import kpis_frame, overrides_frame, specs_frame, values_frame

from aligna.evaluate import expand_targets, no_overrides, target_periods


def expand(specs: pl.DataFrame, periods: list[tuple[int, str]], overrides=None, **kw):  # type: ignore[no-untyped-def]
    frame = pl.DataFrame(periods, schema={"kpi": pl.Int64, "period": pl.String}, orient="row")
    return expand_targets(
        specs, overrides if overrides is not None else no_overrides(), frame, **kw
    )


LINEAR = {
    "kpi": 1,
    "baseline_period": "2025-12",
    "baseline_value": 88.0,
    "target_value": 97.0,
    "target_by": "2030-12",  # 60 months after the baseline
    "shape": "linear",
}


def test_linear_trajectory_with_offsets() -> None:
    specs = specs_frame(LINEAR | {"red_flag_offset": "-5%", "stretch_offset": "+2"})
    got = expand(
        specs,
        [
            (1, p)
            for p in ("2025-06", "2025-12", "2026-01", "2026-12", "2028-06", "2030-12", "2031-06")
        ],
    )
    # Before and at the baseline: 88. Then 88 + 9 * months / 60. From the end on: 97.
    assert got["target"].to_list() == pytest.approx(
        [88.0, 88.0, 88.0 + 9 / 60, 88.0 + 9 * 12 / 60, 92.5, 97.0, 97.0]
    )
    # Red flag -5% of |t|: 2028-06: 92.5 - 4.625 = 87.875. Stretch +2: 94.5.
    assert got["red_flag"][4] == pytest.approx(87.875)
    assert got["stretch"][4] == pytest.approx(94.5)
    assert got["target_by"].to_list() == ["2030-12"] * 7


def test_default_red_flag_and_stretch_follow_the_trajectory() -> None:
    got = expand(specs_frame(LINEAR), [(1, "2026-12")])
    # t = 89.8: r = 89.8 - 8.98 = 80.82, s = 89.8 + (89.8 - 80.82) = 98.78.
    assert got.row(0, named=True)["red_flag"] == pytest.approx(80.82)
    assert got.row(0, named=True)["stretch"] == pytest.approx(98.78)


def test_lower_is_better_default_red_flag_is_above() -> None:
    specs = specs_frame({"kpi": 1, "polarity": "lower_is_better", "target_value": 40.0})
    got = expand(specs, [(1, "2026-01")]).row(0, named=True)
    # r = 40 + 0.1 * 40 = 44, s = 40 + (40 - 44) = 36.
    assert (got["target"], got["red_flag"], got["stretch"]) == pytest.approx((40.0, 44.0, 36.0))


def test_compound_trajectory() -> None:
    specs = specs_frame(
        {
            "kpi": 1,
            "frequency": "quarter",
            "baseline_period": "2025-Q4",
            "baseline_value": 100.0,
            "target_value": 121.0,
            "target_by": "2027-Q4",  # 8 quarters
            "shape": "compound",
        }
    )
    got = expand(specs, [(1, "2026-Q2"), (1, "2026-Q4"), (1, "2027-Q4")])
    # 100 * 1.21^(2/8) = 100 * 1.1^0.5 = 104.88088; 100 * 1.21^(4/8) = 110; then 121.
    assert got["target"].to_list() == pytest.approx([104.88088482, 110.0, 121.0])


def test_compound_across_zero_falls_back_to_linear() -> None:
    specs = specs_frame(
        LINEAR | {"baseline_value": -10.0, "target_value": 20.0, "shape": "compound"}
    )
    got = expand(specs, [(1, "2028-06")], details=True).row(0, named=True)
    # Half way (30 of 60 months): -10 + 30 * 0.5 = 5.
    assert got["target"] == pytest.approx(5.0)
    assert got["target_rule"].startswith("linear interpolation (compound is impossible")
    assert got["fraction"] == 0.5


def test_absolute_offset_and_percent_of_a_negative_target() -> None:
    specs = specs_frame(
        {"kpi": 1, "target_value": -50.0, "red_flag_offset": "-10%", "stretch_offset": "+3"},
        {"kpi": 2, "target_value": 30.0, "red_flag_offset": "-5"},
    )
    got = expand(specs, [(1, "2026-01"), (2, "2026-01")])
    # kpi 1: -50 - 10% of |-50| = -55; stretch -50 + 3 = -47.
    # kpi 2: 30 - 5 = 25; default stretch 30 + (30 - 25) = 35.
    assert got["red_flag"].to_list() == [-55.0, 25.0]
    assert got["stretch"].to_list() == [-47.0, 35.0]


def test_absolute_red_flag_value_holds_along_the_trajectory() -> None:
    specs = specs_frame(LINEAR | {"red_flag_value": 85.0, "stretch_value": 99.0})
    got = expand(specs, [(1, "2026-01"), (1, "2030-12")])
    assert got["red_flag"].to_list() == [85.0, 85.0]
    assert got["stretch"].to_list() == [99.0, 99.0]


def test_overrides_replace_a_period_and_keep_the_rules_for_what_they_leave_out() -> None:
    specs = specs_frame(LINEAR | {"red_flag_offset": "-5%", "stretch_offset": "+2"})
    overrides = overrides_frame(
        {"kpi": 1, "period": "2026-06", "target": 91.0, "red_flag": 85.0, "stretch": 94.0},
        {"kpi": 1, "period": "2026-07", "target": 91.0},
    )
    got = expand(specs, [(1, "2026-05"), (1, "2026-06"), (1, "2026-07")], overrides, details=True)
    rows = got.rows(named=True)
    # 2026-05 follows the trajectory: 88 + 9 * 5 / 60 = 88.75.
    assert rows[0]["target"] == pytest.approx(88.75)
    assert (rows[1]["target"], rows[1]["red_flag"], rows[1]["stretch"]) == (91.0, 85.0, 94.0)
    # Only t overridden: r = 91 - 5% of 91 = 86.45, s = 91 + 2 = 93.
    assert (rows[2]["target"], rows[2]["red_flag"], rows[2]["stretch"]) == pytest.approx(
        (91.0, 86.45, 93.0)
    )
    assert (rows[2]["target_rule"], rows[2]["red_flag_rule"]) == ("an override", "an offset")


def test_target_versions_apply_from_the_period_they_were_set_in() -> None:
    specs = specs_frame(
        {"kpi": 1, "set_at": datetime(2025, 1, 1, tzinfo=UTC), "target_value": 100.0},
        {"kpi": 1, "set_at": datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC), "target_value": 120.0},
        {"kpi": 2, "set_at": datetime(2025, 1, 1, tzinfo=UTC), "target_value": 100.0},
        {"kpi": 2, "set_at": datetime(2026, 4, 1, 0, 0, tzinfo=UTC), "target_value": 120.0},
    )
    got = expand(
        specs, [(1, "2024-06"), (1, "2026-02"), (1, "2026-03"), (2, "2026-03"), (2, "2026-04")]
    )
    assert got["target"].to_list() == [
        100.0,  # before any version was set: the earliest version
        100.0,  # February ended before the second version was set
        120.0,  # set in the last second of March: March is judged by it
        100.0,  # set at midnight on 1 April: not March's
        120.0,
    ]


def test_within_range_band_and_overrides() -> None:
    specs = specs_frame(
        {
            "kpi": 1,
            "polarity": "within_range",
            "band_lo": 2.0,
            "band_hi": 4.0,
            "red_band_lo": 1.0,
            "red_band_hi": 5.0,
        }
    )
    overrides = overrides_frame({"kpi": 1, "period": "2026-06", "hi": 3.5, "red_hi": 4.5})
    got = expand(specs, [(1, "2026-05"), (1, "2026-06")], overrides)
    assert got.select("lo", "hi", "red_lo", "red_hi").rows() == [
        (2.0, 4.0, 1.0, 5.0),
        (2.0, 3.5, 1.0, 4.5),
    ]
    assert got["target"].to_list() == [None, None]  # the evaluation takes the band's middle


def test_a_kpi_without_target_gets_nulls() -> None:
    got = expand(specs_frame({"kpi": 1, "target_value": 5.0}), [(2, "2026-01")])
    assert got.row(0) == (2, "2026-01", None, None, None, None, None, None, None, None)


def test_a_period_of_another_frequency_is_an_error() -> None:
    with pytest.raises(ValueError, match="period '2026-W05' of kpi 1 is not a month period"):
        expand(specs_frame({"kpi": 1, "target_value": 5.0}), [(1, "2026-W05")])


def test_target_periods_cover_the_series_and_the_forecast_end() -> None:
    kpis = kpis_frame({"kpi": 1}, {"kpi": 2}, {"kpi": 3})
    values = values_frame([(k, None, p, 1.0) for k in (1, 2, 3) for p in ("2025-10", "2025-12")])
    specs = specs_frame(
        {"kpi": 1, "target_value": 5.0, "target_by": "2026-06"},  # ahead: ends there
        {"kpi": 2, "target_value": 5.0},  # no end: the as_of year's last period
        {"kpi": 3, "target_value": 5.0, "target_by": "2025-11"},  # past: the year's end too
    )
    got = target_periods(kpis, values, specs, date(2026, 1, 10))
    run = ["2025-10", "2025-11", "2025-12", "2026-01"]  # missing November included
    assert got.rows() == (
        [(1, p) for p in [*run, "2026-06"]]
        + [(2, p) for p in [*run, "2026-12"]]
        + [(3, p) for p in [*run, "2026-12"]]
    )
