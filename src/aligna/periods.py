"""Calendar periods written ISO-style: 2026, 2026-Q1, 2026-03, 2026-W09, 2026-03-15."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Frequency(StrEnum):
    """How often a KPI is measured; also the granularity of its periods."""

    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


_PATTERNS: dict[Frequency, re.Pattern[str]] = {
    Frequency.year: re.compile(r"^(\d{4})$"),
    Frequency.quarter: re.compile(r"^(\d{4})-Q([1-4])$"),
    Frequency.month: re.compile(r"^(\d{4})-(\d{2})$"),
    Frequency.week: re.compile(r"^(\d{4})-W(\d{2})$"),
    Frequency.day: re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
}

EXAMPLES: dict[Frequency, str] = {
    Frequency.year: "2026",
    Frequency.quarter: "2026-Q1",
    Frequency.month: "2026-03",
    Frequency.week: "2026-W09",
    Frequency.day: "2026-03-15",
}


class PeriodError(ValueError):
    """A period that cannot be read, with what was expected."""


@dataclass(frozen=True, order=True)
class Period:
    """A closed calendar interval [start, end] of one frequency."""

    start: date
    end: date
    frequency: Frequency

    def __str__(self) -> str:
        return format_period(self.start, self.frequency)

    def next(self) -> Period:
        """The period right after this one."""
        return period_of(self.end + timedelta(days=1), self.frequency)


def parse_period(text: str, frequency: Frequency | None = None) -> Period:
    """Read an ISO-style period; with a frequency, insist on that frequency."""
    text = str(text).strip()
    candidates = [frequency] if frequency else list(_PATTERNS)
    for freq in candidates:
        match = _PATTERNS[freq].match(text)
        if match:
            return _build(freq, match.groups(), text)
    if frequency:
        raise PeriodError(
            f"'{text}' is not a {frequency.value} period, expected a period like "
            f"{EXAMPLES[frequency]}"
        )
    raise PeriodError(
        f"'{text}' is not a period, expected 2026, 2026-Q1, 2026-03, 2026-W09 or 2026-03-15"
    )


def _build(freq: Frequency, groups: tuple[str, ...], text: str) -> Period:
    try:
        year = int(groups[0])
        if freq is Frequency.year:
            start = date(year, 1, 1)
        elif freq is Frequency.quarter:
            start = date(year, 3 * int(groups[1]) - 2, 1)
        elif freq is Frequency.month:
            start = date(year, int(groups[1]), 1)
        elif freq is Frequency.week:
            start = date.fromisocalendar(year, int(groups[1]), 1)
        else:
            start = date(year, int(groups[1]), int(groups[2]))
    except ValueError as exc:
        raise PeriodError(f"'{text}' is not a real {freq.value}: {exc}") from None
    return period_of(start, freq)


def period_of(day: date, frequency: Frequency) -> Period:
    """The period of the given frequency that contains a day."""
    if frequency is Frequency.day:
        return Period(day, day, frequency)
    if frequency is Frequency.week:
        start = day - timedelta(days=day.weekday())
        return Period(start, start + timedelta(days=6), frequency)
    if frequency is Frequency.month:
        start = day.replace(day=1)
    elif frequency is Frequency.quarter:
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    else:
        start = date(day.year, 1, 1)
    months = {Frequency.month: 1, Frequency.quarter: 3, Frequency.year: 12}[frequency]
    month_index = start.month - 1 + months
    following = date(start.year + month_index // 12, month_index % 12 + 1, 1)
    return Period(start, following - timedelta(days=1), frequency)


def format_period(day: date, frequency: Frequency) -> str:
    """Write the period of a frequency containing a day, ISO-style."""
    if frequency is Frequency.day:
        return day.isoformat()
    if frequency is Frequency.week:
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if frequency is Frequency.month:
        return f"{day.year}-{day.month:02d}"
    if frequency is Frequency.quarter:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}"


def week_month(period: Period) -> str:
    """The month an ISO week belongs to: the month of its Thursday."""
    return format_period(period.start + timedelta(days=3), Frequency.month)
