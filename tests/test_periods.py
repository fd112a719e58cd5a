"""Periods written ISO-style, with dates worked out from the calendar by hand."""

from __future__ import annotations

from datetime import date

import pytest

from aligna.periods import Frequency, PeriodError, format_period, parse_period, week_month


@pytest.mark.parametrize(
    ("text", "frequency", "start", "end"),
    [
        ("2026", Frequency.year, date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-Q1", Frequency.quarter, date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q4", Frequency.quarter, date(2026, 10, 1), date(2026, 12, 31)),
        ("2024-02", Frequency.month, date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        ("2026-12", Frequency.month, date(2026, 12, 1), date(2026, 12, 31)),
        # 2026-W09: Monday 23 February to Sunday 1 March 2026.
        ("2026-W09", Frequency.week, date(2026, 2, 23), date(2026, 3, 1)),
        # 2026-W01 starts on Monday 29 December 2025 (the week holding 1 January, a Thursday).
        ("2026-W01", Frequency.week, date(2025, 12, 29), date(2026, 1, 4)),
        ("2026-03-15", Frequency.day, date(2026, 3, 15), date(2026, 3, 15)),
    ],
)
def test_parse_gives_the_calendar_interval(
    text: str, frequency: Frequency, start: date, end: date
) -> None:
    period = parse_period(text)
    assert (period.frequency, period.start, period.end) == (frequency, start, end)
    assert str(period) == text
    assert format_period(start, frequency) == text


def test_a_week_belongs_to_the_month_of_its_thursday() -> None:
    assert week_month(parse_period("2026-W01")) == "2026-01"  # Thursday 1 January 2026
    assert week_month(parse_period("2026-W09")) == "2026-02"  # Thursday 26 February 2026
    assert week_month(parse_period("2026-W14")) == "2026-04"  # Monday 30 March, Thursday 2 April


def test_next_period_crosses_year_ends() -> None:
    assert str(parse_period("2026-12").next()) == "2027-01"
    assert str(parse_period("2026-Q4").next()) == "2027-Q1"
    assert str(parse_period("2026-W53", Frequency.week).next()) == "2027-W01"
    assert str(parse_period("2026-12-31").next()) == "2027-01-01"


@pytest.mark.parametrize(
    ("text", "frequency", "message"),
    [
        ("2026-13", Frequency.month, "'2026-13' is not a real month"),
        ("2026-Q5", None, "'2026-Q5' is not a period, expected 2026, 2026-Q1"),
        (
            "2026-W09",
            Frequency.month,
            "'2026-W09' is not a month period, expected a period like 2026-03",
        ),
        ("2025-W53", Frequency.week, "'2025-W53' is not a real week"),  # 2025 has 52 ISO weeks
        ("2026-02-30", Frequency.day, "'2026-02-30' is not a real day"),
    ],
)
def test_bad_periods_say_what_was_expected(
    text: str, frequency: Frequency | None, message: str
) -> None:
    with pytest.raises(PeriodError, match="^" + message.replace("(", r"\(")):
        parse_period(text, frequency)
