"""The query contract: what a KPI's query must return, checked row by row before anything is kept.

A query returns `period, value` rows, or `period, unit, value` for a KPI broken down by unit
(column names in any case and order). Every problem is named by row and column, e.g.
`row 14: column value: 'n/a' is not a number`, and one problem keeps the whole result out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from aligna.measure.errors import ContractError
from aligna.periods import EXAMPLES, Frequency, PeriodError, parse_period

# How a period may be written when a warehouse returns a date object instead of text.
STRFTIME_HINTS = {
    Frequency.day: "%Y-%m-%d",
    Frequency.week: "%G-W%V",
    Frequency.month: "%Y-%m",
    Frequency.quarter: "year || '-Q' || quarter",
}


@dataclass(frozen=True)
class KpiShape:
    """What one KPI's rows must look like: its frequency and, when broken down, its units."""

    kpi: str
    frequency: Frequency
    breakdown_kind: str | None = None
    breakdown_total: str | None = None  # sum | mean | none
    home_unit: str | None = None  # the KPI's own unit (slug)
    units: Mapping[str, int] = field(default_factory=dict)  # breakdown units: slug -> id
    known_units: Mapping[str, str] = field(default_factory=dict)  # every live unit: slug -> kind

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns its query must return."""
        return ("period", "unit", "value") if self.breakdown_kind else ("period", "value")


@dataclass(frozen=True)
class Reading:
    """One value of a KPI for a period (and a unit's slice of it), ready to store."""

    period: str
    value: float
    unit_id: int | None = None
    note: str = ""


def read_rows(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    shape: KpiShape,
    *,
    today: date,
    row_limit: int,
) -> list[Reading]:
    """The readings in a query result, or a ContractError naming every bad row and column.

    Rows whose value is NULL are skipped: the warehouse has no value for that period (an
    average over no rows, a ratio guarded by NULLIF). Every other problem is an error.
    """
    if len(rows) > row_limit:
        raise ContractError(
            [
                f"the query returned more than {row_limit:,} rows, expected at most "
                f"{row_limit:,} (the query_row_limit setting): aggregate to the KPI's periods "
                "or restrict the time range"
            ]
        )
    positions = _positions(columns, shape)
    problems: list[str] = []
    readings: list[Reading] = []
    seen: dict[tuple[int | None, str], int] = {}
    for number, row in enumerate(rows, start=1):
        before = len(problems)
        period: str | None = None
        unit_id: int | None = None
        value: float | None = None
        try:
            period = check_period(row[positions["period"]], shape, today)
        except ValueError as exc:
            problems.append(f"row {number}: column period: {exc}")
        if "unit" in positions:
            try:
                unit_id = check_unit(row[positions["unit"]], shape)
            except ValueError as exc:
                problems.append(f"row {number}: column unit: {exc}")
        try:
            value = _number_or_null(row[positions["value"]])
        except ValueError as exc:
            problems.append(f"row {number}: column value: {exc}")
        if len(problems) > before or period is None:
            continue
        key = (unit_id, period)
        if key in seen:
            unit = row[positions["unit"]] if "unit" in positions else None
            slice_ = f" for unit {unit}" if unit not in (None, "") else ""
            problems.append(
                f"row {number}: period {period}{slice_} appears again (first in row "
                f"{seen[key]}), expected one value per period"
                + (" and unit" if "unit" in positions else "")
            )
            continue
        seen[key] = number
        if value is not None:
            readings.append(Reading(period, value, unit_id))
    if problems:
        raise ContractError(problems)
    return readings


def _positions(columns: Sequence[str], shape: KpiShape) -> dict[str, int]:
    """Where each expected column is; a ContractError when columns are missing or extra."""
    names = [str(c).strip().lower() for c in columns]
    expected = shape.columns
    missing = [c for c in expected if c not in names]
    extra = [columns[i] for i, n in enumerate(names) if n not in expected]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if missing or extra or doubled:
        found = ", ".join(map(str, columns)) or "no columns"
        what = []
        if missing:
            what.append(f"missing {', '.join(missing)}")
        if extra:
            what.append(f"unexpected {', '.join(map(str, extra))}")
        if doubled:
            what.append(f"twice {', '.join(doubled)}")
        reason = ""
        if shape.breakdown_kind and missing == ["unit"]:
            reason = f" (KPI '{shape.kpi}' is broken down by {shape.breakdown_kind})"
        elif not shape.breakdown_kind and extra and [n for n in names if n == "unit"]:
            reason = f" (KPI '{shape.kpi}' is not broken down by unit)"
        raise ContractError(
            [
                f"columns: the query returns {found} ({'; '.join(what)}), expected "
                f"{', '.join(expected)}{reason}"
            ]
        )
    return {name: names.index(name) for name in expected}


def check_period(raw: Any, shape: KpiShape, today: date) -> str:
    """The period as written ISO-style at the KPI's frequency; ValueError says what is wrong."""
    frequency = shape.frequency
    example = EXAMPLES[frequency]
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError(f"empty, expected a {frequency.value} period like {example}")
    if isinstance(raw, datetime) or (isinstance(raw, date) and frequency is not Frequency.day):
        raise ValueError(
            f"{raw} is a date, expected a {frequency.value} period written like {example} "
            f"(format it in the query: {STRFTIME_HINTS[frequency]})"
        )
    text = raw.isoformat() if isinstance(raw, date) else str(raw).strip()
    try:
        period = parse_period(text, frequency)
    except PeriodError as exc:
        try:
            other = parse_period(text)
        except PeriodError:
            raise ValueError(str(exc)) from None
        raise ValueError(
            f"'{text}' is a {other.frequency.value}, expected a {frequency.value} period like "
            f"{example} (KPI '{shape.kpi}' is measured by {frequency.value})"
        ) from None
    if period.start > today:
        raise ValueError(
            f"{text} is in the future (today is {today.isoformat()}), expected a period that "
            "has started"
        )
    return str(period)


def check_unit(raw: Any, shape: KpiShape) -> int | None:
    """The id of the unit a value belongs to (None: the KPI's own value); ValueError if wrong."""
    slug = "" if raw is None else str(raw).strip()
    if not shape.breakdown_kind:
        if slug:
            raise ValueError(
                f"'{slug}' given, but KPI '{shape.kpi}' is not broken down by unit, "
                "expected no unit"
            )
        return None
    if not slug:
        if shape.breakdown_total == "none":
            return None  # the KPI's own, organisation-level value
        raise ValueError(
            f"empty, expected the id of a {shape.breakdown_kind} (KPI '{shape.kpi}' makes its "
            f"total from its units: total {shape.breakdown_total})"
        )
    if slug in shape.units:
        return shape.units[slug]
    if slug not in shape.known_units:
        raise ValueError(f"'{slug}' is not a unit, expected a {shape.breakdown_kind} id")
    raise ValueError(
        f"'{slug}' is not a {shape.breakdown_kind} inside '{shape.home_unit}', expected a "
        f"unit that KPI '{shape.kpi}' is broken down by"
    )


def parse_number(raw: Any) -> float:
    """A finite float from a warehouse or a person; ValueError says why it is not one."""
    if isinstance(raw, bool):
        raise ValueError(f"{raw} is not a number")
    if isinstance(raw, int | float | Decimal):
        number = float(raw)
    else:
        text = str(raw).strip()
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"'{text}' is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{raw} is not a finite number")
    return number


def _number_or_null(raw: Any) -> float | None:
    return None if raw is None else parse_number(raw)
