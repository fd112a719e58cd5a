"""Writing an evaluation's results: the evaluation tables in one bulk transaction, and the
performance exceptions opened and closed so that re-evaluating never opens a duplicate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Engine, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.bulk import bulk_transaction
from aligna.channels.events import (
    OpenedException,
    exception_opened_rows,
    exception_resolved_rows,
    write_events,
)
from aligna.evaluate.inputs import id_filter

# Evaluation frame -> table, with the frame's id columns renamed to the table's.
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "evaluations": ("kpi_evaluation", {"kpi": "kpi_id", "unit": "unit_id"}),
    "forecasts": ("kpi_forecast", {"kpi": "kpi_id", "unit": "unit_id"}),
    "objectives": ("objective_evaluation", {"objective": "objective_id"}),
    "initiatives": ("initiative_evaluation", {"initiative": "initiative_id"}),
    "vision_gaps": ("vision_gap_evaluation", {"vision_target": "vision_target_id"}),
    "scorecards": ("scorecard_evaluation", {"person": "person_id"}),
}


@dataclass(frozen=True)
class ExceptionChanges:
    """What reconciling exceptions did."""

    opened: int
    closed: int
    still_open: int


def signals_as_json(evaluations: pl.DataFrame) -> pl.DataFrame:
    """The signals column as JSON text, encoded by Polars for all rows at once."""
    if "signals" not in evaluations.columns or evaluations.schema["signals"] == pl.Utf8:
        return evaluations
    encoded = pl.col("signals").list.eval(pl.element().struct.json_encode()).list.join(", ")
    return evaluations.with_columns(
        pl.concat_str(pl.lit("["), encoded.fill_null(""), pl.lit("]")).alias("signals")
    )


def write_results(
    engine: Engine,
    run_id: int,
    frames: dict[str, pl.DataFrame],
    *,
    scope: dict[str, Sequence[int]] | None = None,
) -> dict[str, int]:
    """Replace evaluation tables in one transaction: a frame in `scope` replaces only the rows
    of the ids given for it (KPIs, vision targets, people), any other frame its whole table."""
    written: dict[str, int] = {}
    scope = scope or {}
    with bulk_transaction(engine) as writer:
        for name, (table, renames) in TABLES.items():
            frame = frames.get(name)
            if frame is None:
                continue
            if name in scope:
                key = next(iter(renames.values()))
                ids = list(scope[name])
                for start in range(0, len(ids), 500):
                    writer.execute(
                        f"DELETE FROM {table} WHERE {id_filter(key, ids[start : start + 500])}"
                    )
            else:
                writer.execute(f"DELETE FROM {table}")
            if name == "evaluations":
                frame = signals_as_json(frame)
            frame = frame.rename({k: v for k, v in renames.items() if k in frame.columns})
            frame = frame.with_columns(pl.lit(run_id, dtype=pl.Int64).alias("run_id"))
            written[table] = writer.append(table, frame.select(_columns(table, frame)))
            if name not in scope:
                # Fresh statistics after replacing a whole table, so that the next incremental
                # evaluation's deletes and reads by KPI use the indexes.
                writer.analyze(table)
    return written


def _columns(table: str, frame: pl.DataFrame) -> list[str]:
    """The frame's columns that the table has (intermediate columns are not stored)."""
    known = set(m.Base.metadata.tables[table].columns.keys()) - {"id"}
    return [c for c in frame.columns if c in known]


def reconcile_exceptions(
    session: Session,
    wanted: pl.DataFrame,
    owners: dict[tuple[Any, ...], int],
    now: datetime,
    *,
    kpis: Sequence[int] | None = None,
) -> ExceptionChanges:
    """Open the wanted exceptions not yet open, close the open ones whose cause went away.

    With `kpis`, only those KPIs' exceptions are reconciled (an incremental evaluation): the
    others' causes were not looked at, so they stay as they are.
    """
    table = m.PerformanceException
    query = select(
        table.id,
        table.key,
        table.period,
        table.detail,
        table.kpi_id,
        table.unit_id,
        table.initiative_id,
    ).where(table.closed_at.is_(None))
    if kpis is not None:
        query = query.where(text(id_filter("kpi_id", kpis)))
    open_rows = {row.key: row for row in session.execute(query)}
    new_rows: list[dict[str, Any]] = []
    refreshed: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in wanted.iter_rows(named=True):
        key = row["key"]
        seen.add(key)
        if key in open_rows:
            current = open_rows[key]
            if (current.period, current.detail) != (row.get("period"), row.get("detail")):
                refreshed.append(
                    {
                        "b_id": current.id,
                        "period": row.get("period"),
                        "detail": row.get("detail") or "",
                    }
                )
            continue
        # A unit's slice belongs first to whoever is accountable for it on a scorecard.
        owner = (
            owners.get(("slice", row["kpi"], row.get("unit")), owners.get(("kpi", row["kpi"])))
            if row.get("kpi") is not None
            else owners.get(("initiative", row.get("initiative") or -1))
        )
        new_rows.append(
            {
                "key": key,
                "kind": row["kind"],
                "kpi_id": row.get("kpi"),
                "unit_id": row.get("unit"),
                "initiative_id": row.get("initiative"),
                "milestone_id": row.get("milestone"),
                "period": row.get("period"),
                "owner_id": owner,
                "detail": row.get("detail") or "",
                "opened_at": now,
                "level": 0,
                "level_since": now,
                "commitment": "",
            }
        )
    opened: list[OpenedException] = []
    if new_rows:
        ids = dict(session.execute(insert(table).returning(table.key, table.id), new_rows).all())
        opened = [
            OpenedException(
                id=ids[r["key"]],
                kind=r["kind"],
                kpi_id=r["kpi_id"],
                unit_id=r["unit_id"],
                initiative_id=r["initiative_id"],
                milestone_id=r["milestone_id"],
                period=r["period"],
                detail=r["detail"],
            )
            for r in new_rows
        ]
    if refreshed:  # one executemany, not a statement per exception
        session.connection().execute(
            update(table.__table__).where(table.__table__.c.id == bindparam("b_id")),
            refreshed,
        )
    gone = [row for key, row in open_rows.items() if key not in seen]
    for start in range(0, len(gone), 500):
        chunk = [row.id for row in gone[start : start + 500]]
        session.execute(update(table).where(table.id.in_(chunk)).values(closed_at=now))
    # Each opening and closing is on the exception's timeline, in this same transaction.
    write_events(session, exception_opened_rows(opened, now))
    write_events(
        session,
        exception_resolved_rows(
            [(r.id, r.kpi_id, r.unit_id, r.initiative_id, r.detail) for r in gone], now
        ),
    )
    still_open = session.execute(
        select(func.count()).select_from(table).where(table.closed_at.is_(None))
    ).scalar_one()
    return ExceptionChanges(opened=len(new_rows), closed=len(gone), still_open=still_open)
