"""Bulk reads and writes through Arrow, on SQLite and PostgreSQL, all or nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, insert, select

from aligna import model as m
from aligna.bulk import bulk_transaction, read_frame
from aligna.db import session_scope
from aligna.files.service import apply_project, validate_project
from helpers import copy_template


def _run(engine: Engine, tmp_path: Path) -> tuple[int, int]:
    with session_scope(engine) as session:
        apply_project(
            session, validate_project(copy_template(tmp_path / "p")), actor="t", message="t"
        )
        run = session.execute(
            insert(m.EvaluationRun)
            .values(started_at=datetime.now(UTC), as_of=date(2026, 11, 25))
            .returning(m.EvaluationRun.id)
        ).scalar_one()
        kpi = session.execute(select(m.Kpi.id).where(m.Kpi.slug == "monthly-revenue")).scalar_one()
    return run, kpi


def _rows(run: int, kpi: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "run_id": [run, run],
            "kpi_id": [kpi, kpi],
            "unit_id": [None, None],
            "period": ["2026-09", "2026-10"],
            "partial": [False, False],
            "actual": [512.5, 498.0],
            "target": [510.0, 515.0],
            "status": ["on_track", "at_risk"],
            "score": [67.5, 55.0],
            "signals": ["[]", '[{"rule": 1, "side": "below", "favourable": false}]'],
            "stale_reason": ["", ""],
        },
        schema_overrides={"unit_id": pl.Int64},
    )


def test_append_then_read_back(engine: Engine, tmp_path: Path) -> None:
    run, kpi = _run(engine, tmp_path)
    with bulk_transaction(engine) as writer:
        assert writer.append("kpi_evaluation", _rows(run, kpi)) == 2
    frame = read_frame(
        engine, "select period, actual, status, signals from kpi_evaluation order by period"
    )
    assert frame["period"].to_list() == ["2026-09", "2026-10"]
    assert frame["actual"].to_list() == [512.5, 498.0]
    assert frame["status"].to_list() == ["on_track", "at_risk"]
    with session_scope(engine) as session:
        row = session.execute(select(m.KpiEvaluation).where(m.KpiEvaluation.period == "2026-10"))
        assert row.scalar_one().signals.startswith('[{"rule": 1')


def test_a_failing_batch_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    run, kpi = _run(engine, tmp_path)
    with bulk_transaction(engine) as writer:
        writer.append("kpi_evaluation", _rows(run, kpi))
    with pytest.raises(Exception), bulk_transaction(engine) as writer:  # noqa: B017
        writer.execute("DELETE FROM kpi_evaluation")
        writer.append("kpi_evaluation", _rows(run, kpi).with_columns(pl.lit(1).alias("nope")))
    assert read_frame(engine, "select count(*) as n from kpi_evaluation")["n"].to_list() == [2]
