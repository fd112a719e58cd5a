"""The same demo measured and evaluated on SQLite and on PostgreSQL gives the same results."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from aligna.bulk import read_frame
from aligna.db import open_database, session_scope
from aligna.demo import build_demo_project
from aligna.evaluate.service import evaluate_all
from aligna.files.service import apply_project, validate_project
from aligna.measure.refresh import refresh
from aligna.settings import load_settings
from aligna.throwaway_postgres import create_database

DAY = date(2026, 6, 15)
QUERY = """
select k.slug as kpi, coalesce(u.slug, '-') as unit, e.period, e.status, e.score, e.trend,
       e.signals
from kpi_evaluation e join kpi k on k.id = e.kpi_id left join unit u on u.id = e.unit_id
"""


def _evaluate(folder: Path, url: str) -> list[tuple[object, ...]]:
    settings = load_settings(folder, database_url=url)
    engine = open_database(url)
    with session_scope(engine) as session:
        apply_project(session, validate_project(folder), actor="t", message="demo")
    summary = refresh(engine, settings, today=DAY)
    assert summary.failed == 0
    evaluate_all(engine, as_of=DAY)
    frame = read_frame(engine, QUERY)
    engine.dispose()
    return sorted(
        (r[0], r[1], r[2], r[3], None if r[4] is None else round(r[4], 6), r[5], r[6])
        for r in frame.iter_rows()
    )


def test_sqlite_and_postgresql_agree(tmp_path: Path, postgres_server: str) -> None:
    folder = tmp_path / "demo"
    build_demo_project(folder, people=20, seed=7, today=DAY)
    on_sqlite = _evaluate(folder, f"sqlite:///{tmp_path / 'a.db'}")
    on_postgresql = _evaluate(folder, create_database(postgres_server, "evaluate_agree"))
    assert len(on_sqlite) > 1000
    assert on_sqlite == on_postgresql
