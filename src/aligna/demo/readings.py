"""Reading the KPIs' values back from the finished warehouse, as aligna itself would."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from aligna.demo.kpis import KpiSpec
from aligna.demo.queries import QUERIES
from aligna.demo.targets import Series, closed_series
from aligna.periods import Frequency


def _steady(value: float) -> float:
    # Parallel sums may differ in the last bits between runs; targets must not.
    return float(f"{value:.10g}")


def organisation_series(path: Path, specs: list[KpiSpec], today: date) -> dict[str, Series]:
    """Each warehouse KPI's closed periods at the organisation level (unit values totalled)."""
    found: dict[str, Series] = {}
    con = duckdb.connect(str(path), read_only=True, config={"enable_external_access": False})
    try:
        for spec in specs:
            if spec.manual:
                continue
            rows = con.execute(QUERIES[spec.id]).fetchall()
            if spec.breakdown:
                totals: dict[str, list[float]] = {}
                for period, _unit, value in rows:
                    if value is not None:
                        totals.setdefault(period, []).append(float(value))
                how = spec.breakdown[1]
                pairs = [
                    (p, sum(v) if how == "sum" else sum(v) / len(v)) for p, v in totals.items()
                ]
            else:
                pairs = [(p, float(v)) for p, v in rows if v is not None]
            pairs = [(p, _steady(v)) for p, v in pairs]
            found[spec.id] = closed_series(pairs, Frequency(spec.frequency), today)
    finally:
        con.close()
    return found
