"""Vision gaps and complete years, worked by hand (DESIGN, "Vision gap")."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from aligna.evaluate.vision_gap import (
    LINEAR_FALLBACK,
    NO_PROJECTION,
    annual_values,
    vision_gaps,
)

AS_OF = date(2026, 3, 1)  # complete years end with 2025

ANNUAL = pl.DataFrame(
    [
        # KPI 1 grows 10% a year: 100, 110, 121.
        (1, 2023, 100.0),
        (1, 2024, 110.0),
        (1, 2025, 121.0),
        (1, 2026, 999.0),  # not over by as_of: never used
        # KPI 2 (lower is better) falls 10% a year: 200, 180, 162.
        (2, 2023, 200.0),
        (2, 2024, 180.0),
        (2, 2025, 162.0),
        # KPI 3 starts negative: -10, 0, 10.
        (3, 2023, -10.0),
        (3, 2024, 0.0),
        (3, 2025, 10.0),
        # KPI 4 has one complete year only.
        (4, 2025, 50.0),
        # KPI 5 misses 2022 (incomplete), so its two complete years are two years apart.
        (5, 2021, 100.0),
        (5, 2023, 121.0),
    ],
    schema={"kpi": pl.Int64, "year": pl.Int64, "value": pl.Float64},
    orient="row",
)

TARGETS = pl.DataFrame(
    [
        # vision_target, kpi, polarity, value, year, projection
        (1, 1, "higher_is_better", 300.0, 2030, "compound"),
        (2, 1, "higher_is_better", 150.0, 2030, "linear"),
        (3, 2, "lower_is_better", 100.0, 2027, "compound"),
        (4, 2, "lower_is_better", 100.0, 2030, "linear"),
        (5, 3, "higher_is_better", 100.0, 2030, "compound"),
        (6, 4, "higher_is_better", 80.0, 2030, "compound"),
        (7, 5, "higher_is_better", 200.0, 2025, "compound"),
        (8, 1, "within_range", 150.0, 2030, "linear"),
    ],
    schema={
        "vision_target": pl.Int64,
        "kpi": pl.Int64,
        "polarity": pl.Utf8,
        "value": pl.Float64,
        "year": pl.Int64,
        "projection": pl.Utf8,
    },
    orient="row",
)

CONTRIBUTIONS = pl.DataFrame(
    {
        "vision_target": [1, 1, 2, 3, 6],
        "expected": [50.0, 30.0, 20.0, 20.0, 5.0],
    }
)


@pytest.fixture(scope="module")
def gaps() -> dict[int, dict]:
    frame = vision_gaps(TARGETS, ANNUAL, CONTRIBUTIONS, AS_OF)
    return {row["vision_target"]: row for row in frame.iter_rows(named=True)}


def test_compound_projection(gaps: dict[int, dict]) -> None:
    row = gaps[1]
    # CAGR = (121 / 100)^(1/2) - 1 = 0.10; projection = 121 * 1.1^5 = 194.87171
    # gap = 300 - 194.87171 = 105.12829; covered = 50 + 30 = 80; uncovered = 25.12829
    assert row["method"] == "compound"
    assert row["annual_growth"] == pytest.approx(0.10)
    assert row["projection"] == pytest.approx(194.87171)
    assert row["gap"] == pytest.approx(105.12829)
    assert row["covered"] == pytest.approx(80.0)
    assert row["uncovered"] == pytest.approx(25.12829)
    assert (row["complete_years"], row["first_year"], row["last_year"]) == (3, 2023, 2025)
    assert row["warning"] == ""


def test_linear_projection_already_meeting_the_target(gaps: dict[int, dict]) -> None:
    row = gaps[2]
    # years 2023..2025, mean year 2024, mean value (100 + 110 + 121) / 3 = 110.3333
    # slope = ((-1)(100 - 110.33) + 0 + (1)(121 - 110.33)) / ((-1)^2 + 0 + 1^2) = 21 / 2 = 10.5
    # projection = 110.3333 + 10.5 * (2030 - 2024) = 173.3333 >= 150: gap 0
    assert row["method"] == "linear"
    assert row["slope"] == pytest.approx(10.5)
    assert row["projection"] == pytest.approx(173.33333)
    assert row["gap"] == 0.0
    # covered 20 > gap 0: nothing uncovered
    assert (row["covered"], row["uncovered"]) == (20.0, 0.0)


def test_lower_is_better(gaps: dict[int, dict]) -> None:
    row = gaps[3]
    # CAGR = (162 / 200)^(1/2) - 1 = 0.9 - 1 = -0.10; projection 2027 = 162 * 0.9^2 = 131.22
    # gap = projection - target = 131.22 - 100 = 31.22; uncovered = 31.22 - 20 = 11.22
    assert row["annual_growth"] == pytest.approx(-0.10)
    assert row["projection"] == pytest.approx(131.22)
    assert row["gap"] == pytest.approx(31.22)
    assert row["uncovered"] == pytest.approx(11.22)
    row = gaps[4]
    # slope = ((-1)(200 - 180.667) + (1)(162 - 180.667)) / 2 = (-19.333 - 18.667) / 2 = -19
    # projection 2030 = 180.6667 - 19 * 6 = 66.6667 <= 100: gap 0; no contributions: covered 0
    assert row["slope"] == pytest.approx(-19.0)
    assert row["projection"] == pytest.approx(66.66667)
    assert (row["gap"], row["covered"], row["uncovered"]) == (0.0, 0.0, 0.0)


def test_negative_first_year_falls_back_to_linear_with_a_warning(gaps: dict[int, dict]) -> None:
    row = gaps[5]
    # slope = ((-1)(-10 - 0) + (1)(10 - 0)) / 2 = 10; projection 2030 = 0 + 10 * 6 = 60
    # gap = 100 - 60 = 40
    assert row["method"] == "linear"
    assert row["projection"] == pytest.approx(60.0)
    assert row["gap"] == pytest.approx(40.0)
    assert row["annual_growth"] is None
    assert row["warning"] == LINEAR_FALLBACK


def test_fewer_than_two_complete_years_gives_no_projection(gaps: dict[int, dict]) -> None:
    row = gaps[6]
    assert row["complete_years"] == 1
    assert (row["projection"], row["gap"], row["uncovered"]) == (None, None, None)
    assert row["method"] == "compound"  # as asked; nothing was projected
    assert row["covered"] == 5.0
    assert row["warning"] == NO_PROJECTION


def test_complete_years_need_not_be_consecutive(gaps: dict[int, dict]) -> None:
    row = gaps[7]
    # 2021: 100, 2023: 121 -> CAGR 10% over a span of 2; projection 2025 = 121 * 1.1^2 = 146.41
    assert row["projection"] == pytest.approx(146.41)
    assert row["gap"] == pytest.approx(200.0 - 146.41)
    assert row["warning"] == ""


def test_within_range_has_no_gap(gaps: dict[int, dict]) -> None:
    row = gaps[8]
    assert row["gap"] is None
    assert "within-range" in row["warning"]


def _values(kpi: int, periods: list[str], values: list[float]) -> pl.DataFrame:
    return pl.DataFrame(
        {"kpi": [kpi] * len(periods), "unit": [None] * len(periods), "period": periods},
    ).with_columns(pl.Series("value", values, dtype=pl.Float64), pl.col("unit").cast(pl.Int64))


KPIS = pl.DataFrame(
    {
        "kpi": [1, 2, 3, 4, 5],
        "frequency": ["month", "quarter", "month", "week", "day"],
        "aggregation": ["sum", "mean", "last", "sum", "sum"],
    }
)


def test_annual_values_keep_complete_years_only() -> None:
    months_2024 = [f"2024-{m:02d}" for m in range(1, 13)]
    months_2025 = [f"2025-{m:02d}" for m in range(1, 12)]  # December missing
    days_2024 = pl.date_range(date(2024, 1, 1), date(2024, 12, 31), eager=True)
    days_2025 = pl.date_range(date(2025, 1, 1), date(2025, 12, 30), eager=True)  # 364 days
    values = pl.concat(
        [
            # KPI 1, monthly sum: 2024 = 1 + 2 + ... + 12 = 78; 2025 lacks December;
            # 2026-01 and 2026-02 belong to a year not over yet.
            _values(1, months_2024, [float(m) for m in range(1, 13)]),
            _values(1, months_2025, [1.0] * 11),
            _values(1, ["2026-01", "2026-02"], [1.0, 1.0]),
            # KPI 2, quarterly mean: (10 + 20 + 30 + 40) / 4 = 25.
            _values(2, ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"], [10.0, 20.0, 30.0, 40.0]),
            # KPI 3, monthly last, given out of order: December's 7 is the year's value; a null
            # value in 2024 makes 2024 incomplete.
            _values(3, list(reversed([f"2025-{m:02d}" for m in range(1, 13)])), [7.0] + [1.0] * 11),
            _values(3, months_2024, [1.0] * 11 + [None]),  # type: ignore[list-item]
            # KPI 4, weekly: ISO 2020 has 53 weeks, 2021 52; 52 weeks of 2020 are not enough.
            _values(4, [f"2021-W{w:02d}" for w in range(1, 53)], [1.0] * 52),
            _values(4, [f"2020-W{w:02d}" for w in range(1, 53)], [1.0] * 52),
            # KPI 5, daily: 2024 is a leap year with 366 days; 2025 misses 31 December.
            _values(5, days_2024.dt.to_string("%Y-%m-%d").to_list(), [1.0] * 366),
            _values(5, days_2025.dt.to_string("%Y-%m-%d").to_list(), [1.0] * 364),
        ]
    )
    # A unit's slice never counts toward the organisation's year.
    values = pl.concat(
        [
            values,
            pl.DataFrame(
                {"kpi": [2], "unit": [7], "period": ["2024-Q1"], "value": [1.0]},
                schema=values.schema,
            ),
        ]
    )
    result = annual_values(values, KPIS, AS_OF)
    assert result.rows() == [
        (1, 2024, 78.0),
        (2, 2025, 25.0),
        (3, 2025, 7.0),
        (4, 2021, 52.0),
        (5, 2024, 366.0),
    ]


def test_an_iso_week_year_ends_on_the_sunday_of_its_last_week() -> None:
    # ISO 2026 has 53 weeks (1 January 2026 is a Thursday); its week 53 ends on 2027-01-03.
    weeks = _values(4, [f"2026-W{w:02d}" for w in range(1, 54)], [2.0] * 53)
    assert annual_values(weeks, KPIS, date(2027, 1, 3)).height == 0
    assert annual_values(weeks, KPIS, date(2027, 1, 4)).rows() == [(4, 2026, 106.0)]


def test_periods_of_the_wrong_frequency_are_refused() -> None:
    with pytest.raises(ValueError, match="not a month period"):
        annual_values(_values(1, ["2025-Q1"], [1.0]), KPIS, AS_OF)
    with pytest.raises(ValueError, match="not a week period"):
        annual_values(_values(4, ["2021-W53"], [1.0]), KPIS, AS_OF)
