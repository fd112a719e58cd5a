"""Incremental evaluation: only the KPIs whose inputs changed since the last evaluation are
recomputed, with what depends on them (objectives, vision gaps, their people's scorecards).

A KPI's evaluation depends only on its own values, target versions, overrides, last refresh
and the day evaluated as of, so the stored results of every other KPI are still exactly what
a full evaluation would give. Anything else that changed (an applied project: definitions,
objectives, weights, people) or another as-of day needs a full evaluation; `find_changes`
says which and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl
from sqlalchemy import Engine, func, select, union

from aligna import model as m
from aligna.bulk import read_frame
from aligna.evaluate.engine import (
    evaluate_kpi_frames,
    kpi_exceptions,
    leaf_scores,
    scorecard_inputs,
)
from aligna.evaluate.inputs import KpiInputs
from aligna.evaluate.rollup import roll_up, scorecard_scores, vision_target_scores
from aligna.evaluate.vision_gap import annual_values, vision_gaps

# On PostgreSQL, rows are stamped when written but seen by others only at commit; a change
# written just before the last evaluation started may have committed after it read. Looking
# back a little re-evaluates a few KPIs twice rather than miss one.
LOOKBACK = timedelta(minutes=1)
# Past this share of the KPIs, reading and writing everything at once is as quick.
FULL_SHARE = 0.25


@dataclass(frozen=True)
class Changes:
    """What changed since the last evaluation: the KPIs to re-evaluate, or None for all."""

    since_run: int | None
    kpis: list[int] | None
    reason: str


@dataclass(frozen=True)
class Watermark:
    """The newest change set, value and refresh a run had seen when it started reading."""

    change_set_id: int | None
    observation_id: int | None
    refresh_id: int | None


def read_watermark(engine: Engine) -> Watermark:
    """The newest ids now. Read before the inputs: what lands in between is seen twice
    (evaluated now and found again next time), never missed."""
    with engine.connect() as connection:
        row = connection.execute(
            select(
                select(func.max(m.ChangeSet.id)).scalar_subquery(),
                select(func.max(m.Observation.id)).scalar_subquery(),
                select(func.max(m.KpiRefresh.id)).scalar_subquery(),
            )
        ).one()
    return Watermark(*row)


def find_changes(engine: Engine, as_of: date) -> Changes:
    """The KPIs whose inputs changed since the last finished evaluation, if that is enough."""
    run = m.EvaluationRun
    with engine.connect() as connection:
        last = connection.execute(
            select(
                run.id,
                run.started_at,
                run.as_of,
                run.change_set_id,
                run.observation_id,
                run.refresh_id,
            )
            .where(run.finished_at.is_not(None))
            .order_by(run.id.desc())
            .limit(1)
        ).first()
        if last is None:
            return Changes(None, None, "nothing was evaluated yet")
        if last.as_of != as_of:
            return Changes(last.id, None, f"the last evaluation was as of {last.as_of}")
        # Target versions, definitions, weights... all come with a change set.
        structural = connection.execute(
            select(m.ChangeSet.id)
            .join(m.AuditEntry, m.AuditEntry.change_set_id == m.ChangeSet.id)
            .where(
                m.ChangeSet.id > (last.change_set_id or 0),
                m.AuditEntry.entity_kind != "observation",
            )
            .limit(1)
        ).first()
        if structural is not None:
            return Changes(last.id, None, "the project changed since the last evaluation")
        new_values = m.Observation.id > (last.observation_id or 0)
        new_refreshes = m.KpiRefresh.id > (last.refresh_id or 0)
        if engine.dialect.name != "sqlite":
            # SQLite has one writer at a time, so ids grow in commit order and the watermark
            # is exact. Elsewhere a transaction can commit after a later one: rows stamped
            # shortly before the last run started are looked at again.
            since = last.started_at - LOOKBACK
            new_values = new_values | (m.Observation.taken_at >= since)
            new_refreshes = new_refreshes | (m.KpiRefresh.finished_at >= since)
        changed = connection.execute(
            union(
                select(m.Observation.kpi_id).where(new_values),
                select(m.KpiRefresh.kpi_id).where(new_refreshes),
            )
        ).scalars()
        ids = sorted({int(k) for k in changed})
        live = connection.execute(
            select(func.count()).select_from(m.Kpi).where(m.Kpi.archived_at.is_(None))
        ).scalar_one()
    if live and len(ids) > FULL_SHARE * live:
        return Changes(last.id, None, f"{len(ids)} of {live} KPIs changed")
    if not ids:
        return Changes(last.id, [], f"nothing changed since evaluation {last.id}")
    return Changes(last.id, ids, f"{len(ids)} KPIs changed since evaluation {last.id}")


@dataclass(frozen=True)
class StoredState:
    """What the last evaluation stored and an incremental one reuses."""

    latest: pl.DataFrame  # kpi, unit, status, score: every series' latest row
    health: pl.DataFrame  # initiative, score, health


def read_stored_state(engine: Engine) -> StoredState:
    """Every series' latest stored row and every initiative's health."""
    latest = read_frame(
        engine,
        "select kpi_id as kpi, unit_id as unit, status, score from kpi_evaluation where latest",
    ).with_columns(
        pl.col("kpi", "unit").cast(pl.Int64),
        pl.col("status").cast(pl.Utf8),
        pl.col("score").cast(pl.Float64),
    )
    health = read_frame(
        engine,
        "select initiative_id as initiative, score, health from initiative_evaluation",
    ).with_columns(
        pl.col("initiative").cast(pl.Int64),
        pl.col("score").cast(pl.Float64),
        pl.col("health").cast(pl.Utf8),
    )
    return StoredState(latest, health)


def compute_changed(
    kpis: Sequence[int],
    inputs: KpiInputs,
    tree: dict[str, pl.DataFrame],
    scorecard_items: pl.DataFrame,
    stored: StoredState,
    as_of: date,
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """The frames to write for the changed KPIs, and every series' latest row afterwards.

    `scorecard_items` are the whole scorecards of the people holding a changed KPI; `tree`
    is what `read_tree` reads.
    """
    changed = [int(k) for k in kpis]
    kpi = evaluate_kpi_frames(inputs.kpis, inputs.values, inputs.specs, inputs.overrides, as_of)
    latest = pl.concat(
        [
            stored.latest.filter(~pl.col("kpi").is_in(changed)),
            kpi.latest.select(stored.latest.columns),
        ]
    )
    objectives = roll_up(tree["objectives"], tree["children"], leaf_scores(latest, stored.health))
    targets = tree["vision_targets"].filter(pl.col("kpi").is_in(changed))
    gaps = vision_gaps(
        targets,
        annual_values(inputs.values.filter(pl.col("unit").is_null()), inputs.kpis, as_of),
        tree["contributions"].filter(
            pl.col("vision_target").is_in(targets["vision_target"].to_list())
        ),
        as_of,
    )
    scorecards = scorecard_scores(
        scorecard_items,
        scorecard_inputs(latest),
        stored.health.select("initiative", "score", "health"),
    )
    # Milestones did not change: their exceptions are not looked at, nor reconciled.
    no_milestones = tree["milestones"].clear()
    frames = {
        "evaluations": kpi.evaluations,
        "forecasts": kpi.forecasts,
        "objectives": objectives,
        "vision_targets": vision_target_scores(objectives, tree["serves"]),
        "vision_gaps": gaps,
        "scorecards": scorecards,
        "exceptions": kpi_exceptions(kpi.latest, no_milestones, tree["initiatives"], as_of),
        "latest": kpi.latest,
    }
    return frames, latest
