"""Explaining a stored evaluation: read one KPI's inputs and rerun the same code with details."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
from sqlalchemy import Engine, select

from aligna import model as m
from aligna.evaluate.explain import explain_kpi
from aligna.evaluate.inputs import read_kpi_inputs
from aligna.periods import parse_period


@dataclass(frozen=True)
class Explanation:
    """The lines of an explanation and what they explain."""

    period: str
    as_of: date
    lines: list[str]


def last_evaluated_day(engine: Engine) -> date | None:
    """The day the newest finished evaluation was as of (what stored numbers mean)."""
    run = m.EvaluationRun
    with engine.connect() as connection:
        return connection.execute(
            select(run.as_of).where(run.finished_at.is_not(None)).order_by(run.id.desc()).limit(1)
        ).scalar()


def explain_stored(
    engine: Engine,
    *,
    kpi_id: int,
    unit_id: int | None = None,
    period: str | None = None,
    as_of: date | None = None,
) -> Explanation:
    """Explain a KPI's (or slice's) evaluation of a period, as of the last evaluation's day.

    Raises LookupError when the series has no values and ValueError for a period it lacks.
    """
    day = as_of or last_evaluated_day(engine) or date.today()
    inputs = read_kpi_inputs(engine, [kpi_id])
    if inputs.kpis.height == 0:
        raise LookupError(f"KPI {kpi_id} is not live")
    same = pl.col("unit").is_null() if unit_id is None else pl.col("unit") == unit_id
    series = inputs.values.filter(same)
    if series.height == 0:
        raise LookupError("no values yet: run aligna refresh (or aligna record)")
    if period is None:
        period = latest_closed_period(series["period"].to_list(), day)
    lines = explain_kpi(
        kpi_id,
        unit_id,
        period,
        kpis=inputs.kpis,
        values=inputs.values,
        specs=inputs.specs,
        overrides=inputs.overrides,
        as_of=day,
    )
    if lines:
        name, slug = inputs.kpis.select("name", "slug").row(0)
        lines[0] = lines[0].replace(f"KPI {kpi_id}", f"{name} ({slug})", 1)
    return Explanation(period, day, lines)


def latest_closed_period(periods: list[str], day: date) -> str:
    """The latest period that ended before the day (else the latest there is)."""
    closed = [p for p in periods if parse_period(p).end < day]
    return max(closed or periods, key=lambda p: parse_period(p).start)
