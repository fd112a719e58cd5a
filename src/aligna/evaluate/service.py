"""Running an evaluation: read the inputs, compute, write the results, reconcile exceptions."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl
from sqlalchemy import Engine, insert, update

from aligna import model as m
from aligna.db import session_scope
from aligna.evaluate.engine import compute
from aligna.evaluate.inputs import read_inputs
from aligna.evaluate.outputs import ExceptionChanges, reconcile_exceptions, write_results
from aligna.model.base import utcnow

Progress = Callable[[str], None]


def _quiet(_stage: str) -> None:
    return None


@dataclass(frozen=True)
class EvaluationSummary:
    """What an evaluation found and did, for the command line and the logs."""

    run_id: int
    as_of: date
    kpis: int
    series: int
    rows: int
    statuses: dict[str, int] = field(default_factory=dict)
    signals: int = 0
    exceptions: ExceptionChanges | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def evaluate_all(
    engine: Engine, *, as_of: date | None = None, progress: Progress = _quiet
) -> EvaluationSummary:
    """Evaluate every live KPI, objective, initiative, vision target and scorecard."""
    as_of = as_of or date.today()
    clock = {"start": time.perf_counter()}
    progress("reading")
    inputs = read_inputs(engine)
    clock["read"] = time.perf_counter()
    progress("evaluating")
    frames = compute(inputs, as_of)
    clock["compute"] = time.perf_counter()
    progress("writing")
    started = utcnow()
    with session_scope(engine) as session:
        run_id = session.execute(
            insert(m.EvaluationRun)
            .values(started_at=started, as_of=as_of, kpis=inputs.kpis.height)
            .returning(m.EvaluationRun.id)
        ).scalar_one()
    write_results(engine, run_id, frames)
    owners: dict[tuple[object, ...], int] = {
        ("kpi", k): o for k, o in inputs.kpis.select("kpi", "owner").iter_rows()
    }
    accountable = inputs.scorecard_items.filter(
        (pl.col("kind") == "kpi") & (pl.col("role") == "accountable") & pl.col("unit").is_not_null()
    ).unique(subset=["item", "unit"], keep="first", maintain_order=True)
    owners.update(
        {("slice", k, u): p for k, u, p in accountable.select("item", "unit", "person").iter_rows()}
    )
    owners.update(
        {
            ("initiative", i): o
            for i, o in inputs.initiatives.select("initiative", "owner").iter_rows()
        }
    )
    with session_scope(engine) as session:
        changes = reconcile_exceptions(session, frames["exceptions"], owners, utcnow())
        session.execute(
            update(m.EvaluationRun).where(m.EvaluationRun.id == run_id).values(finished_at=utcnow())
        )
    clock["write"] = time.perf_counter()
    latest = frames["latest"].filter(pl.col("unit").is_null())
    statuses = dict(latest.group_by("status").len().iter_rows())
    evaluations = frames["evaluations"]
    return EvaluationSummary(
        run_id=run_id,
        as_of=as_of,
        kpis=inputs.kpis.height,
        series=evaluations.select("kpi", "unit").unique().height,
        rows=evaluations.height,
        statuses={str(k): int(v) for k, v in statuses.items()},
        signals=int(evaluations["signals"].list.len().sum()) if evaluations.height else 0,
        exceptions=changes,
        seconds={
            "read": clock["read"] - clock["start"],
            "compute": clock["compute"] - clock["read"],
            "write": clock["write"] - clock["compute"],
        },
    )
