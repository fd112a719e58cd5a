"""Writing evaluation results and reconciling exceptions, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
from sqlalchemy import Engine, insert, select

from aligna import model as m
from aligna.bulk import read_frame
from aligna.db import session_scope
from aligna.evaluate.outputs import reconcile_exceptions, signals_as_json, write_results
from aligna.files.service import apply_project, validate_project
from helpers import copy_template

T0 = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def _setup(engine: Engine, tmp_path: Path) -> dict[str, int]:
    with session_scope(engine) as session:
        apply_project(
            session, validate_project(copy_template(tmp_path / "p")), actor="t", message="t"
        )
        ids = {slug: key for key, slug in session.execute(select(m.Kpi.id, m.Kpi.slug))}
        ids["ines"] = session.execute(
            select(m.Person.id).where(m.Person.slug == "p-ines")
        ).scalar_one()
        ids["run"] = session.execute(
            insert(m.EvaluationRun)
            .values(started_at=T0, as_of=date(2026, 11, 1))
            .returning(m.EvaluationRun.id)
        ).scalar_one()
    return ids


def _wanted(revenue: int, keys: list[str]) -> pl.DataFrame:
    rows = [
        {
            "key": key,
            "kind": key.split(":")[0],
            "kpi": revenue,
            "unit": None,
            "initiative": None,
            "milestone": None,
            "period": "2026-10",
            "detail": f"{key} detail",
        }
        for key in keys
    ]
    return pl.DataFrame(
        rows,
        schema={
            "key": pl.Utf8,
            "kind": pl.Utf8,
            "kpi": pl.Int64,
            "unit": pl.Int64,
            "initiative": pl.Int64,
            "milestone": pl.Int64,
            "period": pl.Utf8,
            "detail": pl.Utf8,
        },
    )


def test_reconciling_twice_opens_nothing_twice(engine: Engine, tmp_path: Path) -> None:
    ids = _setup(engine, tmp_path)
    revenue = ids["monthly-revenue"]
    owners = {("kpi", revenue): ids["ines"]}
    keys = [f"off_track:kpi={revenue}:unit=-", f"stale:kpi={revenue}:unit=-"]
    with session_scope(engine) as session:
        first = reconcile_exceptions(session, _wanted(revenue, keys), owners, T0)
    with session_scope(engine) as session:
        second = reconcile_exceptions(session, _wanted(revenue, keys), owners, T1)
    assert (first.opened, first.closed, second.opened, second.closed) == (2, 0, 0, 0)
    with session_scope(engine) as session:
        third = reconcile_exceptions(session, _wanted(revenue, keys[:1]), owners, T1)
    assert (third.opened, third.closed, third.still_open) == (0, 1, 1)
    with session_scope(engine) as session:
        rows = session.execute(
            select(
                m.PerformanceException.key,
                m.PerformanceException.owner_id,
                m.PerformanceException.opened_at,
                m.PerformanceException.closed_at,
            ).order_by(m.PerformanceException.id)
        ).all()
    assert [(r.key, r.owner_id, r.opened_at, r.closed_at) for r in rows] == [
        (keys[0], ids["ines"], T0, None),
        (keys[1], ids["ines"], T0, T1),  # its cause went away: closed, kept
    ]


def test_signals_become_json_text() -> None:
    frame = pl.DataFrame(
        {
            "period": ["2026-09", "2026-10"],
            "signals": [[], [{"rule": 1, "side": "below", "favourable": False}]],
        },
        schema={
            "period": pl.Utf8,
            "signals": pl.List(
                pl.Struct({"rule": pl.Int8, "side": pl.Utf8, "favourable": pl.Boolean})
            ),
        },
    )
    assert signals_as_json(frame)["signals"].to_list() == [
        "[]",
        '[{"rule":1,"side":"below","favourable":false}]',
    ]


def test_write_results_replaces_only_the_given_kpis(engine: Engine, tmp_path: Path) -> None:
    ids = _setup(engine, tmp_path)
    revenue, satisfaction = ids["monthly-revenue"], ids["customer-satisfaction"]

    def evaluations(actual: float) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "kpi": [revenue, satisfaction],
                "unit": [None, None],
                "period": ["2026-10", "2026-Q3"],
                "partial": [False, False],
                "actual": [actual, 8.0],
                "status": ["on_track", "at_risk"],
                "score": [70.0, 50.0],
                "signals": ["[]", "[]"],
                "stale_reason": ["", ""],
                "explain_only": [1, 2],  # an intermediate column: not stored
            },
            schema_overrides={"unit": pl.Int64},
        )

    write_results(engine, ids["run"], {"evaluations": evaluations(500.0)})
    write_results(
        engine,
        ids["run"],
        {"evaluations": evaluations(600.0).filter(pl.col("kpi") == revenue)},
        scope={"evaluations": [revenue]},
    )
    stored = read_frame(engine, "select kpi_id, actual from kpi_evaluation order by kpi_id")
    assert sorted(stored.rows()) == sorted([(revenue, 600.0), (satisfaction, 8.0)])


def test_a_slice_exception_goes_to_the_person_accountable_for_the_slice(
    engine: Engine, tmp_path: Path
) -> None:
    ids = _setup(engine, tmp_path)
    revenue = ids["monthly-revenue"]
    with session_scope(engine) as session:
        sales = session.execute(select(m.Unit.id).where(m.Unit.slug == "sales")).scalar_one()
        ada = session.execute(select(m.Person.id).where(m.Person.slug == "p-ada")).scalar_one()
    wanted = _wanted(
        revenue, [f"off_track:kpi={revenue}:unit={sales}", f"stale:kpi={revenue}:unit=-"]
    )
    wanted = wanted.with_columns(
        pl.when(pl.col("key").str.contains(f"unit={sales}"))
        .then(sales)
        .otherwise(None)
        .cast(pl.Int64)
        .alias("unit")
    )
    owners = {("kpi", revenue): ids["ines"], ("slice", revenue, sales): ada}
    with session_scope(engine) as session:
        reconcile_exceptions(session, wanted, owners, T0)
        rows = dict(
            session.execute(
                select(m.PerformanceException.unit_id, m.PerformanceException.owner_id)
            ).all()
        )
    assert rows == {sales: ada, None: ids["ines"]}
