"""Running an evaluation: read the inputs, compute, write the results, reconcile exceptions."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import polars as pl
from sqlalchemy import Engine, func, insert, select, update

from aligna import model as m
from aligna.bulk import shared_reads
from aligna.channels.events import initiative_change_rows, status_change_rows, write_events
from aligna.db import session_scope
from aligna.evaluate.engine import compute
from aligna.evaluate.incremental import (
    Changes,
    Watermark,
    compute_changed,
    find_changes,
    read_stored_state,
    read_watermark,
)
from aligna.evaluate.inputs import read_inputs, read_kpi_inputs, read_scorecard_items, read_tree
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
    incremental: bool = False  # only the changed KPIs were evaluated (kpis counts those)
    reason: str = ""  # why this evaluation was full, or what changed


def evaluate(
    engine: Engine, *, as_of: date | None = None, full: bool = False, progress: Progress = _quiet
) -> EvaluationSummary:
    """Evaluate what changed since the last evaluation, or everything when that is needed."""
    as_of = as_of or date.today()
    if full:
        return evaluate_all(
            engine, as_of=as_of, progress=progress, reason="a full evaluation was asked for"
        )
    progress("finding changes")
    changes = find_changes(engine, as_of)
    if changes.kpis is None:
        return evaluate_all(engine, as_of=as_of, progress=progress, reason=changes.reason)
    if not changes.kpis and changes.since_run is not None:
        return _unchanged(engine, changes.since_run, as_of, changes.reason)
    return evaluate_changed(engine, changes, as_of=as_of, progress=progress)


def _unchanged(engine: Engine, run_id: int, as_of: date, reason: str) -> EvaluationSummary:
    """Nothing changed since the last run: its results stand, and no new run is recorded."""
    latest = read_stored_state(engine).latest.filter(pl.col("unit").is_null())
    with session_scope(engine) as session:
        still_open = session.execute(
            select(func.count())
            .select_from(m.PerformanceException)
            .where(m.PerformanceException.closed_at.is_(None))
        ).scalar_one()
    return EvaluationSummary(
        run_id=run_id,
        as_of=as_of,
        kpis=0,
        series=0,
        rows=0,
        statuses={str(k): int(v) for k, v in latest.group_by("status").len().iter_rows()},
        exceptions=ExceptionChanges(opened=0, closed=0, still_open=still_open),
        seconds={"read": 0.0, "compute": 0.0, "write": 0.0},
        incremental=True,
        reason=reason,
    )


def evaluate_all(
    engine: Engine,
    *,
    as_of: date | None = None,
    progress: Progress = _quiet,
    reason: str = "a full evaluation was asked for",
) -> EvaluationSummary:
    """Evaluate every live KPI, objective, initiative, vision target and scorecard."""
    as_of = as_of or date.today()
    # The run starts before anything is read: a change stamped after this is found next time.
    started, seen = utcnow(), read_watermark(engine)
    clock = {"start": time.perf_counter()}
    progress("reading")
    with shared_reads(engine):
        inputs = read_inputs(engine)
        before = read_stored_state(engine)  # to tell which statuses changed
    clock["read"] = time.perf_counter()
    progress("evaluating")
    frames = compute(inputs, as_of)
    clock["compute"] = time.perf_counter()
    progress("writing")
    run_id = _start_run(engine, started, seen, as_of, inputs.kpis.height, incremental=False)
    write_results(engine, run_id, frames)
    owners = _owners(inputs.kpis, inputs.scorecard_items)
    owners.update(
        {
            ("initiative", i): o
            for i, o in inputs.initiatives.select("initiative", "owner").iter_rows()
        }
    )
    changes = _reconcile(
        engine,
        run_id,
        frames["exceptions"],
        owners,
        kpis=None,
        moved=status_change_rows(before.latest, frames["latest"], started)
        + initiative_change_rows(before.health, frames["initiatives"], started),
    )
    clock["write"] = time.perf_counter()
    return _summary(
        run_id, as_of, inputs.kpis.height, frames, frames["latest"], changes, clock, reason
    )


def evaluate_changed(
    engine: Engine, changes: Changes, *, as_of: date, progress: Progress = _quiet
) -> EvaluationSummary:
    """Re-evaluate only the changed KPIs and what depends on them (see incremental.py)."""
    ids = changes.kpis or []
    started, seen = utcnow(), read_watermark(engine)
    clock = {"start": time.perf_counter()}
    progress("reading")
    with shared_reads(engine):
        inputs = read_kpi_inputs(engine, ids)
        tree = read_tree(engine)
        items = read_scorecard_items(engine, ids)
        stored = read_stored_state(engine)
    clock["read"] = time.perf_counter()
    progress("evaluating")
    frames, latest = compute_changed(ids, inputs, tree, items, stored, as_of)
    clock["compute"] = time.perf_counter()
    progress("writing")
    run_id = _start_run(engine, started, seen, as_of, len(ids), incremental=True)
    write_results(
        engine,
        run_id,
        frames,
        scope={
            "evaluations": ids,
            "forecasts": ids,
            "vision_gaps": frames["vision_gaps"]["vision_target"].to_list(),
            "scorecards": items["person"].unique().to_list(),
        },
    )
    exceptions = _reconcile(
        engine,
        run_id,
        frames["exceptions"],
        _owners(inputs.kpis, items),
        kpis=ids,
        moved=status_change_rows(
            stored.latest.filter(pl.col("kpi").is_in(ids)),
            frames["evaluations"].filter(pl.col("latest")),
            started,
        ),
    )
    clock["write"] = time.perf_counter()
    return _summary(
        run_id, as_of, len(ids), frames, latest, exceptions, clock, changes.reason, incremental=True
    )


def _start_run(
    engine: Engine,
    started: datetime,
    seen: Watermark,
    as_of: date,
    kpis: int,
    *,
    incremental: bool,
) -> int:
    with session_scope(engine) as session:
        return session.execute(
            insert(m.EvaluationRun)
            .values(
                started_at=started,
                change_set_id=seen.change_set_id,
                observation_id=seen.observation_id,
                refresh_id=seen.refresh_id,
                as_of=as_of,
                kpis=kpis,
                incremental=incremental,
            )
            .returning(m.EvaluationRun.id)
        ).scalar_one()


def _owners(kpis: pl.DataFrame, scorecard_items: pl.DataFrame) -> dict[tuple[object, ...], int]:
    """Who owns each KPI's exceptions: the KPI's owner, or for a unit's slice whoever is
    accountable for that slice on a scorecard."""
    owners: dict[tuple[object, ...], int] = {
        ("kpi", k): o for k, o in kpis.select("kpi", "owner").iter_rows()
    }
    accountable = scorecard_items.filter(
        (pl.col("kind") == "kpi") & (pl.col("role") == "accountable") & pl.col("unit").is_not_null()
    ).unique(subset=["item", "unit"], keep="first", maintain_order=True)
    owners.update(
        {("slice", k, u): p for k, u, p in accountable.select("item", "unit", "person").iter_rows()}
    )
    return owners


def _reconcile(
    engine: Engine,
    run_id: int,
    wanted: pl.DataFrame,
    owners: dict[tuple[object, ...], int],
    *,
    kpis: list[int] | None,
    moved: list[dict[str, object]],
) -> ExceptionChanges:
    """Reconcile the exceptions, write the status changes' events and mark the run finished,
    in one transaction."""
    with session_scope(engine) as session:
        changes = reconcile_exceptions(session, wanted, owners, utcnow(), kpis=kpis)
        write_events(session, moved)
        session.execute(
            update(m.EvaluationRun).where(m.EvaluationRun.id == run_id).values(finished_at=utcnow())
        )
    return changes


def _summary(
    run_id: int,
    as_of: date,
    kpis: int,
    frames: dict[str, pl.DataFrame],
    latest: pl.DataFrame,
    changes: ExceptionChanges,
    clock: dict[str, float],
    reason: str,
    *,
    incremental: bool = False,
) -> EvaluationSummary:
    statuses = dict(latest.filter(pl.col("unit").is_null()).group_by("status").len().iter_rows())
    evaluations = frames["evaluations"]
    return EvaluationSummary(
        run_id=run_id,
        as_of=as_of,
        kpis=kpis,
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
        incremental=incremental,
        reason=reason,
    )
