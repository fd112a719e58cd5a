"""Periods as ordinals, their dates, and finer values aggregated to a KPI's frequency."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from aligna.evaluate import aggregate_to_frequency
from aligna.evaluate.ordinals import (
    DAY,
    MONTH,
    QUARTER,
    WEEK,
    date_ordinal,
    format_periods,
    parse_periods,
    period_bounds,
    period_ordinals,
)


@pytest.mark.parametrize(
    ("text", "code", "ordinal"),
    [
        ("2026-03", MONTH, 2026 * 12 + 2),  # year * 12 + month - 1 = 24314
        ("2026-Q1", QUARTER, 2026 * 4),  # year * 4 + quarter - 1 = 8104
        ("2026-Q4", QUARTER, 2026 * 4 + 3),
        ("1970-01-01", DAY, 0),
        # 56 years to 2026 with 14 leap days (1972..2024): 20454 days; + 31 + 28 + 14.
        ("2026-03-15", DAY, 20527),
        ("1970-W01", WEEK, 0),  # the week of Thursday 1 January 1970
        ("1970-W02", WEEK, 1),
        # 2026-W01 starts Monday 29 December 2025 = day 20451; (20451 + 3) / 7 = 2922.
        ("2026-W01", WEEK, 2922),
        ("2026-W53", WEEK, 2974),  # 2026 starts on a Thursday: it has 53 weeks
    ],
)
def test_period_texts_as_ordinals_and_back(text: str, code: int, ordinal: int) -> None:
    codes, ordinals = parse_periods(pl.Series([text]))
    assert (int(codes[0]), int(ordinals[0])) == (code, ordinal)
    assert format_periods(np.array([ordinal]), code).to_list() == [text]


@pytest.mark.parametrize(
    "text", ["2025-W53", "2026-13", "2026-02-30", "2026-Q5", "2026", "26-03", "", "2026-3"]
)
def test_not_kpi_periods(text: str) -> None:
    # 2025 has 52 ISO weeks (it starts on a Wednesday and is not a leap year).
    codes, _ = parse_periods(pl.Series([text]))
    assert codes[0] == -1


def test_weeks_run_on_across_years() -> None:
    # 2025-W52 (22-28 December 2025) is followed by 2026-W01.
    got = period_ordinals(pl.Series(["2025-W52", "2026-W01"]), "week")
    assert got[1] - got[0] == 1
    assert date_ordinal(date(2025, 12, 28), "week") == 2921  # a Sunday, still 2025-W52
    assert date_ordinal(date(2026, 1, 1), "week") == 2922


def test_a_period_of_another_frequency_is_an_error() -> None:
    with pytest.raises(ValueError, match="period '2026-Q1' is not a month period"):
        period_ordinals(pl.Series(["2026-03", "2026-Q1"]), "month")


def test_period_bounds() -> None:
    got = period_bounds(
        pl.Series(["2024-02", "2026-W01", "2026-Q4", "2026-03-15"]),
        pl.Series(["month", "week", "quarter", "day"]),
    )
    assert got.rows() == [
        (date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        (date(2025, 12, 29), date(2026, 1, 4)),  # Monday to Sunday
        (date(2026, 10, 1), date(2026, 12, 31)),
        (date(2026, 3, 15), date(2026, 3, 15)),
    ]


KPIS = pl.DataFrame(
    {
        "kpi": [1, 2, 3, 4, 5, 6],
        "frequency": ["month", "month", "month", "month", "quarter", "week"],
        "aggregation": ["sum", "mean", "last", "sum", "sum", "sum"],
    }
)


def values(rows: list[tuple[int, int | None, str, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"kpi": pl.Int64, "unit": pl.Int64, "period": pl.String, "value": pl.Float64},
        orient="row",
    )


def test_days_aggregate_to_months_by_sum_mean_and_last() -> None:
    days = [("2026-03-31", 30.0), ("2026-03-01", 10.0), ("2026-03-15", 20.0), ("2026-04-01", 5.0)]
    rows = [(k, None, p, v) for k in (1, 2, 3) for p, v in days]
    got = aggregate_to_frequency(values(rows), KPIS)
    assert got.rows() == [
        (1, None, "2026-03", 60.0),  # 10 + 20 + 30
        (1, None, "2026-04", 5.0),
        (2, None, "2026-03", 20.0),  # (10 + 20 + 30) / 3
        (2, None, "2026-04", 5.0),
        (3, None, "2026-03", 30.0),  # the latest day, 31 March, although listed first
        (3, None, "2026-04", 5.0),
    ]


def test_iso_weeks_belong_to_the_month_of_their_thursday() -> None:
    rows = [
        (4, None, "2026-W09", 1.0),  # 23 Feb - 1 Mar, Thursday 26 February: February
        (4, None, "2026-W10", 2.0),  # 2 - 8 March, Thursday 5 March: March
        (4, None, "2026-W14", 4.0),  # Monday 30 March, Thursday 2 April: April
        (4, None, "2026-W01", 8.0),  # starts 29 December 2025, Thursday 1 January: January
        (4, 5, "2025-W01", 16.0),  # starts 30 December 2024, Thursday 2 January 2025
    ]
    got = aggregate_to_frequency(values(rows), KPIS)
    assert got.rows() == [
        (4, None, "2026-01", 8.0),
        (4, None, "2026-02", 1.0),
        (4, None, "2026-03", 2.0),
        (4, None, "2026-04", 4.0),
        (4, 5, "2025-01", 16.0),  # unit slices stay apart
    ]


def test_weeks_and_months_to_quarters_and_days_to_weeks() -> None:
    rows = [
        (5, None, "2026-W13", 1.0),  # Thursday 26 March: Q1
        (5, None, "2026-W14", 2.0),  # Thursday 2 April: Q2
        (5, None, "2026-03", 4.0),  # March: Q1
        (6, None, "2026-03-01", 1.0),  # a Sunday: 2026-W09
        (6, None, "2026-03-02", 2.0),  # a Monday: 2026-W10
        (6, None, "2026-W10", 4.0),  # already weekly
    ]
    got = aggregate_to_frequency(values(rows), KPIS)
    assert got.rows() == [
        (5, None, "2026-Q1", 5.0),
        (5, None, "2026-Q2", 2.0),
        (6, None, "2026-W09", 1.0),
        (6, None, "2026-W10", 6.0),
    ]


def test_a_coarser_value_cannot_be_split() -> None:
    with pytest.raises(ValueError, match="'2026-03' of kpi 6 cannot be aggregated to its week"):
        aggregate_to_frequency(values([(6, None, "2026-03", 1.0)]), KPIS)
