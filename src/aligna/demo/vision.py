"""Vision targets set from the data: a value at the horizon, its organic projection and gap."""

from __future__ import annotations

import math
from dataclasses import dataclass

from aligna.demo.kpis import VISION_TARGETS, KpiSpec
from aligna.demo.targets import Series, nice, number
from aligna.periods import Frequency

PERIODS_PER_YEAR = {
    Frequency.day: 365,
    Frequency.week: 52,
    Frequency.month: 12,
    Frequency.quarter: 4,
}


@dataclass(frozen=True)
class VisionTarget:
    """A vision target with what the existing processes would reach on their own."""

    id: str
    name: str
    kpi: str
    value: float
    year: int
    projection: str
    base_year: int
    organic: float  # the KPI projected to the horizon
    gap: float  # what initiatives must add (0 when organic growth gets there)
    coverage: float  # the share of the gap the initiatives expect to cover

    def entry(self) -> dict[str, object]:
        """The foundation.yaml entry."""
        return {
            "id": self.id,
            "name": self.name,
            "kpi": self.kpi,
            "value": number(self.value),
            "year": self.year,
            "projection": self.projection,
        }


def complete_years(
    series: Series, frequency: Frequency, aggregation: str
) -> list[tuple[int, float]]:
    """Each calendar year with every period present, aggregated as the KPI aggregates."""
    by_year: dict[int, list[float]] = {}
    for period, value in series:
        by_year.setdefault(period.start.year, []).append(value)
    whole = PERIODS_PER_YEAR[frequency]
    years = []
    for year, values in sorted(by_year.items()):
        if len(values) == whole:
            total = sum(values)
            years.append((year, total if aggregation == "sum" else total / len(values)))
    return years


def project(years: list[tuple[int, float]], horizon: int, projection: str) -> float:
    """The KPI's organic value at the horizon: compound growth, or a least-squares line."""
    (first_year, first), (last_year, last) = years[0], years[-1]
    if projection == "compound" and first > 0 and last > 0 and last_year > first_year:
        rate = (last / first) ** (1 / (last_year - first_year))
        return last * rate ** (horizon - last_year)
    n = len(years)
    mean_x = sum(y for y, _ in years) / n
    mean_y = sum(v for _, v in years) / n
    spread = sum((y - mean_x) ** 2 for y, _ in years)
    slope = sum((y - mean_x) * (v - mean_y) for y, v in years) / spread if spread else 0.0
    return mean_y + slope * (horizon - mean_x)


def _value(rule: str, last: float) -> float:
    """The vision target's value from the KPI's last complete year."""
    if rule == "plus30":  # NPS: thirty points more, in steps of five, at most 90
        return float(min(90, 5 * math.ceil((last + 30) / 5)))
    value = last * float(rule.removeprefix("times"))
    return round(value, 1) if abs(value) < 100 else nice(value)


def vision_targets(
    specs: dict[str, KpiSpec], series: dict[str, Series], horizon: int
) -> list[VisionTarget]:
    """The vision targets, valued against the last complete year of their KPI."""
    result = []
    for tid, pattern, kpi, rule, projection, coverage in VISION_TARGETS:
        spec = specs[kpi]
        years = complete_years(series[kpi], Frequency(spec.frequency), spec.aggregation)
        base_year, last = years[-1]
        value = _value(rule, last)
        organic = project(years, horizon, projection)
        sign = 1 if spec.polarity == "higher_is_better" else -1
        gap = max(0.0, sign * (value - organic))
        name = pattern.format(year=base_year, value=number(value))
        result.append(
            VisionTarget(
                tid, name, kpi, value, horizon, projection, base_year, organic, gap, coverage
            )
        )
    return result
