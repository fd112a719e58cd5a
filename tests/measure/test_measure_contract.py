"""The query contract: every way a result can be wrong is named by row and column."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from aligna.measure.contract import KpiShape, Reading, read_rows
from aligna.measure.errors import ContractError
from aligna.periods import Frequency

TODAY = date(2026, 3, 10)
MONTHLY = KpiShape("sales", Frequency.month)
BY_TEAM = KpiShape(
    "sales",
    Frequency.month,
    breakdown_kind="team",
    breakdown_total="sum",
    home_unit="ops",
    units={"team-a": 11, "team-b": 12},
    known_units={
        "org": "company",
        "ops": "division",
        "team-a": "team",
        "team-b": "team",
        "team-s": "team",
    },
)


def read(
    columns: list[str], rows: list[tuple[Any, ...]], shape: KpiShape = MONTHLY, limit: int = 100
) -> list[Reading]:
    return read_rows(columns, rows, shape, today=TODAY, row_limit=limit)


def problems(
    columns: list[str], rows: list[tuple[Any, ...]], shape: KpiShape = MONTHLY, limit: int = 100
) -> list[str]:
    with pytest.raises(ContractError) as broken:
        read(columns, rows, shape, limit)
    return broken.value.problems


def test_good_rows_become_readings_in_any_column_case_and_order() -> None:
    rows = [(1.5, "2026-01"), (Decimal("2"), " 2026-02 "), (3, "2026-03")]
    assert read(["VALUE", "Period"], rows) == [
        Reading("2026-01", 1.5),
        Reading("2026-02", 2.0),
        Reading("2026-03", 3.0),
    ]


def test_null_values_are_skipped_as_no_data() -> None:
    assert read(["period", "value"], [("2026-01", None), ("2026-02", 4)]) == [
        Reading("2026-02", 4.0)
    ]


def test_numeric_text_is_a_number_and_anything_else_is_not() -> None:
    assert read(["period", "value"], [("2026-01", "12.5")]) == [Reading("2026-01", 12.5)]
    found = problems(
        ["period", "value"],
        [("2026-01", "n/a"), ("2026-02", float("nan")), ("2026-03", True)],
    )
    assert found == [
        "row 1: column value: 'n/a' is not a number",
        "row 2: column value: nan is not a finite number",
        "row 3: column value: True is not a number",
    ]


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (["period"], "columns: the query returns period (missing value), expected period, value"),
        (
            ["period", "value", "extra"],
            "columns: the query returns period, value, extra (unexpected extra), "
            "expected period, value",
        ),
        (
            ["period", "unit", "value"],
            "columns: the query returns period, unit, value (unexpected unit), expected period, "
            "value (KPI 'sales' is not broken down by unit)",
        ),
        (
            ["period", "value", "VALUE"],
            "columns: the query returns period, value, VALUE (twice value), expected period, value",
        ),
    ],
)
def test_missing_and_extra_columns(columns: list[str], message: str) -> None:
    assert problems(columns, []) == [message]


def test_a_broken_down_kpi_needs_its_unit_column() -> None:
    assert problems(["period", "value"], [], BY_TEAM) == [
        "columns: the query returns period, value (missing unit), expected period, unit, value "
        "(KPI 'sales' is broken down by team)"
    ]


def test_periods_must_be_at_the_kpis_frequency_and_not_in_the_future() -> None:
    found = problems(
        ["period", "value"],
        [
            ("2026-01-15", 1),
            ("2026-Q1", 1),
            ("March 2026", 1),
            ("2026-13", 1),
            ("2026-04", 1),
            (None, 1),
            (date(2026, 1, 1), 1),
            (datetime(2026, 1, 1, 12), 1),
        ],
    )
    assert found == [
        "row 1: column period: '2026-01-15' is a day, expected a month period like 2026-03 "
        "(KPI 'sales' is measured by month)",
        "row 2: column period: '2026-Q1' is a quarter, expected a month period like 2026-03 "
        "(KPI 'sales' is measured by month)",
        "row 3: column period: 'March 2026' is not a month period, expected a period like 2026-03",
        "row 4: column period: '2026-13' is not a real month: month must be in 1..12",
        "row 5: column period: 2026-04 is in the future (today is 2026-03-10), expected a period "
        "that has started",
        "row 6: column period: empty, expected a month period like 2026-03",
        "row 7: column period: 2026-01-01 is a date, expected a month period written like "
        "2026-03 (format it in the query: %Y-%m)",
        "row 8: column period: 2026-01-01 12:00:00 is a date, expected a month period written "
        "like 2026-03 (format it in the query: %Y-%m)",
    ]


def test_the_current_period_is_allowed_and_a_day_kpi_takes_dates() -> None:
    assert read(["period", "value"], [("2026-03", 1)]) == [Reading("2026-03", 1.0)]
    daily = KpiShape("units", Frequency.day)
    assert read(["period", "value"], [(date(2026, 3, 10), 2)], daily) == [
        Reading("2026-03-10", 2.0)
    ]
    weekly = KpiShape("orders", Frequency.week)
    assert problems(["period", "value"], [("2025-W53", 1)], weekly) == [
        "row 1: column period: '2025-W53' is not a real week: Invalid week: 53"
    ]


def test_duplicate_periods_and_units() -> None:
    assert problems(["period", "value"], [("2026-01", 1), ("2026-02", 2), ("2026-01", 3)]) == [
        "row 3: period 2026-01 appears again (first in row 1), expected one value per period"
    ]
    rows = [("2026-01", "team-a", 1), ("2026-01", "team-b", 2), ("2026-01", "team-a", 3)]
    assert problems(["period", "unit", "value"], rows, BY_TEAM) == [
        "row 3: period 2026-01 for unit team-a appears again (first in row 1), expected one "
        "value per period and unit"
    ]


def test_units_must_be_of_the_breakdown_kind_inside_the_kpis_unit() -> None:
    rows = [
        ("2026-01", "team-a", 1),
        ("2026-01", "team-x", 1),
        ("2026-01", "team-s", 1),
        ("2026-01", "ops", 1),
        ("2026-01", None, 1),
    ]
    assert problems(["period", "unit", "value"], rows, BY_TEAM) == [
        "row 2: column unit: 'team-x' is not a unit, expected a team id",
        "row 3: column unit: 'team-s' is not a team inside 'ops', expected a unit that KPI "
        "'sales' is broken down by",
        "row 4: column unit: 'ops' is not a team inside 'ops', expected a unit that KPI 'sales' "
        "is broken down by",
        "row 5: column unit: empty, expected the id of a team (KPI 'sales' makes its total from "
        "its units: total sum)",
    ]


def test_an_empty_unit_is_the_kpis_own_value_when_it_has_no_computed_total() -> None:
    own_total = KpiShape(**{**BY_TEAM.__dict__, "breakdown_total": "none"})
    rows = [("2026-01", "team-a", 1), ("2026-01", None, 5)]
    assert read(["period", "unit", "value"], rows, own_total) == [
        Reading("2026-01", 1.0, 11),
        Reading("2026-01", 5.0, None),
    ]


def test_too_many_rows() -> None:
    rows = [(f"2025-{m:02d}", m) for m in range(1, 5)]
    assert problems(["period", "value"], rows, limit=3) == [
        "the query returned more than 3 rows, expected at most 3 (the query_row_limit setting): "
        "aggregate to the KPI's periods or restrict the time range"
    ]


def test_every_problem_is_reported_but_the_message_lists_ten() -> None:
    rows = [(f"2025-{m:02d}", "x") for m in range(1, 13)]
    with pytest.raises(ContractError) as broken:
        read(["period", "value"], rows)
    assert len(broken.value.problems) == 12
    lines = str(broken.value).splitlines()
    assert lines[0] == "row 1: column value: 'x' is not a number"
    assert lines[-1] == "... and 2 more problems"
