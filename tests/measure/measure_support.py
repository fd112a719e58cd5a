"""Small projects and real warehouses (DuckDB files, PostgreSQL databases) for the measure tests."""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import Engine, create_engine, select, text

from aligna.db import session_scope
from aligna.files.service import apply_project, validate_project
from aligna.model import Kpi, KpiRefresh, Observation, Unit
from aligna.settings import Settings
from aligna.throwaway_postgres import create_database

TODAY = date(2026, 1, 15)
UNITS = """id,name,kind,parent
org,Org,company,
ops,Operations,division,org
team-a,Team A,team,ops
team-b,Team B,team,ops
sales,Sales,division,org
team-s,Team S,team,sales
"""
PEOPLE = """id,name,email,position,unit,manager,teams
p-1,Pat One,pat@example.com,Director,org,,
"""
# Sales of two teams over three months of 2025: the warehouse behind most test KPIs.
SALES = [
    ("2025-10-03", "team-a", 10.0),
    ("2025-10-20", "team-b", 5.0),
    ("2025-11-04", "team-a", 12.0),
    ("2025-11-05", "team-b", 6.0),
    ("2025-12-01", "team-a", 8.0),
    ("2025-12-24", "team-b", 7.0),
]
MONTHLY = (
    "select strftime(day, '%Y-%m') as period, sum(amount) as value from sales group by 1 order by 1"
)
BY_TEAM = (
    "select strftime(day, '%Y-%m') as period, team as unit, sum(amount) as value "
    "from sales group by 1, 2 order by 1, 2"
)
PG_MONTHLY = (
    "select to_char(day, 'YYYY-MM') as period, sum(amount) as value from sales group by 1 "
    "order by 1"
)
_names = itertools.count()


def kpi(
    id: str,
    query: str | None = None,
    *,
    connection: str = "warehouse",
    frequency: str = "month",
    breakdown: dict[str, str] | None = None,
    unit: str = "ops",
) -> dict[str, Any]:
    """A KPI entry for kpis.yaml: a query on a connection, or manual without a query."""
    entry: dict[str, Any] = {
        "id": id,
        "name": id.replace("-", " ").capitalize(),
        "polarity": "higher_is_better",
        "frequency": frequency,
        "aggregation": "sum",
        "owner": "p-1",
        "unit": unit,
        "source": "manual" if query is None else {"connection": connection, "query": query},
    }
    if breakdown:
        entry["breakdown"] = breakdown
    return entry


def connection(id: str, url: str, timeout: float = 10, **options: Any) -> dict[str, Any]:
    """A connection entry for connections.yaml."""
    entry: dict[str, Any] = {"id": id, "url": url, "timeout_seconds": timeout}
    if options:
        entry["options"] = options
    return entry


def write_project(
    folder: Path, *, connections: list[dict[str, Any]], kpis: list[dict[str, Any]]
) -> Path:
    """A minimal project folder: six units, one person, the given connections and KPIs."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "aligna.toml").write_text('[project]\nname = "Test"\n')
    (folder / "units.csv").write_text(UNITS)
    (folder / "people.csv").write_text(PEOPLE)
    # JSON is YAML: no quoting surprises in the SQL.
    (folder / "connections.yaml").write_text(json.dumps({"connections": connections}, indent=1))
    (folder / "kpis.yaml").write_text(json.dumps({"kpis": kpis}, indent=1))
    return folder


def apply_to(engine: Engine, folder: Path) -> None:
    """Validate and apply a project folder into a database."""
    validation = validate_project(folder)
    assert validation.ok, "\n".join(map(str, validation.problems))
    with session_scope(engine) as session:
        apply_project(session, validation, actor="test", message="test")


def settings_for(folder: Path, **values: Any) -> Settings:
    """Settings of a test project, without reading the environment's ALIGNA_* choices."""
    return Settings(project=folder, actor="tester", **values)


def duckdb_warehouse(path: Path, *statements: str) -> Path:
    """A DuckDB file holding the sales table (and whatever else the statements make)."""
    with duckdb.connect(str(path)) as db:
        db.execute("create table sales (day date, team varchar, amount double)")
        db.executemany("insert into sales values (?, ?, ?)", SALES)
        for statement in statements:
            db.execute(statement)
    return path


def duckdb_dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of a DuckDB file and its rows, to show a warehouse is unchanged."""
    with duckdb.connect(str(path), read_only=True) as db:
        tables = [row[0] for row in db.execute("select table_name from duckdb_tables()").fetchall()]
        dump = {t: sorted(db.execute(f'select * from "{t}"').fetchall()) for t in sorted(tables)}
        dump["-sequences"] = db.execute(
            "select sequence_name, last_value from duckdb_sequences()"
        ).fetchall()
    return dump


def postgres_warehouse(server: str, *statements: str) -> str:
    """A new database on the throwaway cluster holding the sales table; its URL."""
    url = create_database(server, f"warehouse_{next(_names)}")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("create table sales (day date, team text, amount float8)"))
        connection.execute(
            text("insert into sales values (cast(:day as date), :team, :amount)"),
            [{"day": d, "team": t, "amount": a} for d, t, a in SALES],
        )
        for statement in statements:
            connection.exec_driver_sql(statement)
    engine.dispose()
    return url


def postgres_dump(url: str) -> dict[str, Any]:
    """Every user table and sequence of a PostgreSQL database, to show it is unchanged."""
    engine = create_engine(url)
    with engine.connect() as connection:
        tables = connection.execute(
            text("select tablename from pg_tables where schemaname = 'public' order by 1")
        ).scalars()
        dump: dict[str, Any] = {
            t: sorted(map(tuple, connection.exec_driver_sql(f'select * from "{t}"').all()))
            for t in list(tables)
        }
        dump["-sequences"] = connection.execute(
            text("select sequencename, last_value from pg_sequences order by 1")
        ).all()
    engine.dispose()
    return dump


def values(engine: Engine, kpi_slug: str, *, current: bool = True) -> list[tuple[Any, ...]]:
    """(unit, period, value, revision) of a KPI's observations, current ones by default."""
    query = (
        select(Unit.slug, Observation.period, Observation.value, Observation.revision)
        .join(Kpi, Kpi.id == Observation.kpi_id)
        .outerjoin(Unit, Unit.id == Observation.unit_id)
        .where(Kpi.slug == kpi_slug)
        .order_by(Observation.period, Unit.slug, Observation.revision)
    )
    if current:
        query = query.where(Observation.superseded_at.is_(None))
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def last_refresh(engine: Engine, kpi_slug: str) -> KpiRefresh:
    """The newest refresh row of a KPI."""
    with session_scope(engine) as session:
        return session.scalars(
            select(KpiRefresh)
            .join(Kpi, Kpi.id == KpiRefresh.kpi_id)
            .where(Kpi.slug == kpi_slug)
            .order_by(KpiRefresh.id.desc())
            .limit(1)
        ).one()
