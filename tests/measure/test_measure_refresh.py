"""Refresh: queries run concurrently, values kept as revisions, a failure never stops the rest."""

from __future__ import annotations

import importlib
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from measure_support import (
    BY_TEAM,
    MONTHLY,
    PG_MONTHLY,
    TODAY,
    apply_to,
    connection,
    duckdb_dump,
    duckdb_warehouse,
    kpi,
    last_refresh,
    postgres_dump,
    postgres_warehouse,
    settings_for,
    values,
    write_project,
)
from sqlalchemy import Engine, func, select

from aligna.db import open_database, session_scope
from aligna.measure import RefreshError, is_due, refresh, select_jobs
from aligna.model import KpiRefresh, Observation
from aligna.model.base import utcnow
from aligna.periods import Frequency

HANG_DUCKDB = "select sum(a.range * b.range) from range(100000000) a, range(100000000) b"


@pytest.fixture
def duck(tmp_path: Path) -> Path:
    return duckdb_warehouse(tmp_path / "warehouse.duckdb")


def _project(tmp_path: Path, duck: Path, *kpis: dict, timeout: float = 10) -> Path:
    connections = [connection("warehouse", f"duckdb:///{duck}", timeout)]
    return write_project(tmp_path / "project", connections=connections, kpis=list(kpis))


def _sqlite(tmp_path: Path) -> Engine:
    return open_database(f"sqlite:///{tmp_path / 'aligna.db'}")


def test_values_are_stored_then_a_second_refresh_writes_nothing(
    engine: Engine, tmp_path: Path, duck: Path
) -> None:
    folder = duck.parent
    project = write_project(
        folder,
        connections=[connection("warehouse", "duckdb:///warehouse.duckdb")],
        kpis=[
            kpi("sales", MONTHLY),
            kpi("sales-by-team", BY_TEAM, breakdown={"unit_kind": "team", "total": "sum"}),
            kpi("mood"),  # manual: skipped
        ],
    )
    apply_to(engine, project)
    settings = settings_for(project)
    first = refresh(engine, settings, today=TODAY)
    assert sorted((r.kpi, r.ok, r.rows, r.new_values, r.revised_values) for r in first.results) == [
        ("sales", True, 3, 3, 0),
        ("sales-by-team", True, 6, 6, 0),
    ]
    assert (first.ok, first.failed, first.rows, first.new_values) == (2, 0, 9, 9)
    assert values(engine, "sales") == [
        (None, "2025-10", 15.0, 1),
        (None, "2025-11", 18.0, 1),
        (None, "2025-12", 15.0, 1),
    ]
    assert values(engine, "sales-by-team")[:2] == [
        ("team-a", "2025-10", 10.0, 1),
        ("team-b", "2025-10", 5.0, 1),
    ]
    with session_scope(engine) as session:
        observation = session.scalars(select(Observation).limit(1)).one()
        assert (observation.source, observation.actor) == ("query", "tester")
        assert observation.taken_at.tzinfo is not None
    second = refresh(engine, settings, today=TODAY)
    assert (second.ok, second.rows, second.new_values, second.revised_values) == (2, 9, 0, 0)
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(Observation)).scalar() == 9
        refreshes = c.execute(select(KpiRefresh.ok, KpiRefresh.new_values)).all()
    assert sorted(refreshes) == [(True, 0), (True, 0), (True, 3), (True, 6)]


def test_a_restated_value_becomes_a_new_revision(engine: Engine, duck: Path) -> None:
    project = write_project(
        duck.parent,
        connections=[connection("warehouse", "duckdb:///warehouse.duckdb")],
        kpis=[kpi("sales", MONTHLY)],
    )
    apply_to(engine, project)
    settings = settings_for(project)
    refresh(engine, settings, today=TODAY)
    with duckdb.connect(str(duck)) as db:  # the warehouse restates November, adds nothing else
        db.execute("update sales set amount = amount + 1 where day = '2025-11-04'")
    summary = refresh(engine, settings, today=TODAY)
    assert (summary.new_values, summary.revised_values) == (0, 1)
    assert values(engine, "sales") == [
        (None, "2025-10", 15.0, 1),
        (None, "2025-11", 19.0, 2),
        (None, "2025-12", 15.0, 1),
    ]
    assert values(engine, "sales", current=False)[1:3] == [
        (None, "2025-11", 18.0, 1),
        (None, "2025-11", 19.0, 2),
    ]
    with session_scope(engine) as session:
        old, new = session.scalars(
            select(Observation).where(Observation.period == "2025-11").order_by("revision")
        ).all()
        assert old.superseded_at == new.taken_at and new.superseded_at is None
    assert refresh(engine, settings, today=TODAY).revised_values == 0


def test_failing_and_hanging_queries_never_stop_the_others(tmp_path: Path, duck: Path) -> None:
    project = _project(
        tmp_path,
        duck,
        kpi("good", MONTHLY),
        kpi("hangs", f"select '2025-01' as period, ({HANG_DUCKDB}) as value"),
        kpi("no-table", "select period, value from nowhere"),
        kpi("bad-value", "select '2025-01' as period, 'n/a' as value"),
        kpi("also-good", BY_TEAM, breakdown={"unit_kind": "team", "total": "sum"}),
        timeout=1,
    )
    engine = _sqlite(tmp_path)
    apply_to(engine, project)
    started = time.perf_counter()
    summary = refresh(engine, settings_for(project, refresh_concurrency=2), today=TODAY)
    assert time.perf_counter() - started < 8
    outcome = {r.kpi: (r.ok, r.error.splitlines()[0] if r.error else "") for r in summary.results}
    assert outcome["good"] == (True, "") and outcome["also-good"] == (True, "")
    assert outcome["hangs"] == (
        False,
        "the query ran longer than 1 s and was stopped (timeout_seconds of connection 'warehouse')",
    )
    assert outcome["no-table"][0] is False and "nowhere does not exist" in outcome["no-table"][1]
    assert outcome["bad-value"] == (False, "row 1: column value: 'n/a' is not a number")
    stored = last_refresh(engine, "bad-value")
    assert (stored.ok, stored.error, stored.rows) == (
        False,
        "row 1: column value: 'n/a' is not a number",
        1,
    )
    assert values(engine, "bad-value") == []  # a broken result keeps nothing
    assert len(values(engine, "good")) == 3


@pytest.mark.postgresql
def test_a_hanging_postgresql_query_times_out_while_others_refresh(
    postgres_server: str, tmp_path: Path
) -> None:
    url = postgres_warehouse(postgres_server)
    project = write_project(
        tmp_path / "project",
        connections=[connection("pg", url, timeout=1)],
        kpis=[
            kpi(
                "sleeps",
                "select '2025-01' as period, 1 as value from pg_sleep(60)",
                connection="pg",
            ),
            kpi("sales", PG_MONTHLY, connection="pg"),
        ],
    )
    engine = _sqlite(tmp_path)
    apply_to(engine, project)
    started = time.perf_counter()
    summary = refresh(engine, settings_for(project), today=TODAY)
    assert time.perf_counter() - started < 6
    results = {r.kpi: r for r in summary.results}
    assert results["sales"].ok and results["sales"].new_values == 3
    assert not results["sleeps"].ok
    assert results["sleeps"].error.startswith("the query ran longer than 1 s")


SNEAKY = [
    "with d as (delete from sales returning *) select '2025-01' as period, count(*) as value "
    "from d",
    "select '2025-01' as period, 1 as value into stolen from sales",
    "select '2025-01' as period, 1 as value; drop table sales",
    "/* select */ delete from sales",
]


def test_writes_are_refused_and_the_duckdb_warehouse_is_unchanged(
    tmp_path: Path, duck: Path
) -> None:
    kpis = [kpi(f"sneaky-{i}", sql) for i, sql in enumerate(SNEAKY)]
    kpis.append(kpi("copies-out", "copy sales to 'out.csv'"))
    project = _project(tmp_path, duck, *kpis)
    engine = _sqlite(tmp_path)
    apply_to(engine, project)
    before = duckdb_dump(duck)
    summary = refresh(engine, settings_for(project), today=TODAY)
    assert summary.failed == len(kpis)
    assert all("nothing was run" in r.error for r in summary.results), summary.results
    assert duckdb_dump(duck) == before
    assert not list(tmp_path.rglob("out.csv"))


@pytest.mark.postgresql
def test_writes_are_refused_and_the_postgresql_warehouse_is_unchanged(
    postgres_server: str, tmp_path: Path
) -> None:
    url = postgres_warehouse(postgres_server, "create sequence ids")
    kpis = [kpi(f"sneaky-{i}", sql, connection="pg") for i, sql in enumerate(SNEAKY)]
    # passes the parser (a function call) and is stopped by the read-only transaction
    kpis.append(
        kpi("bumps", "select '2025-01' as period, nextval('ids') as value", connection="pg")
    )
    project = write_project(tmp_path / "project", connections=[connection("pg", url)], kpis=kpis)
    engine = _sqlite(tmp_path)
    apply_to(engine, project)
    before = postgres_dump(url)
    summary = refresh(engine, settings_for(project), today=TODAY)
    errors = {r.kpi: r.error for r in summary.results}
    assert summary.failed == len(kpis)
    assert all("nothing was run" in errors[f"sneaky-{i}"] for i in range(len(SNEAKY)))
    assert "read-only transaction" in errors["bumps"]
    assert postgres_dump(url) == before


@pytest.mark.postgresql
def test_secrets_from_the_environment_and_a_missing_variable(
    postgres_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_warehouse(postgres_server)
    host, database = url.rsplit("/", 1)
    secret_url = host.replace("postgres@", "${PG_USER}:${PG_PASSWORD}@") + "/${PG_DATABASE}"
    project = write_project(
        tmp_path / "project",
        connections=[connection("pg", secret_url)],
        kpis=[kpi("sales", PG_MONTHLY, connection="pg")],
    )
    engine = _sqlite(tmp_path)
    apply_to(engine, project)
    monkeypatch.setenv("PG_USER", "postgres")
    monkeypatch.setenv("PG_DATABASE", database)
    monkeypatch.delenv("PG_PASSWORD", raising=False)
    summary = refresh(engine, settings_for(project), today=TODAY)
    assert summary.results[0].error == (
        "connection 'pg': the environment variable PG_PASSWORD is not set (the url's password "
        "refers to it as ${PG_PASSWORD}); set it where aligna runs"
    )
    assert not last_refresh(engine, "sales").ok
    monkeypatch.setenv("PG_PASSWORD", "not-checked-by-trust-auth")
    summary = refresh(engine, settings_for(project), today=TODAY)
    assert summary.results[0].ok and summary.new_values == 3


def test_the_connection_option_and_named_kpis(tmp_path: Path, duck: Path) -> None:
    other = duckdb_warehouse(tmp_path / "other.duckdb")
    project = write_project(
        duck.parent,
        connections=[
            connection("warehouse", "duckdb:///warehouse.duckdb"),
            connection("other", f"duckdb:///{other}"),
        ],
        kpis=[
            kpi("sales", MONTHLY),
            kpi("other-sales", MONTHLY, connection="other"),
            kpi("mood"),
        ],
    )
    engine = _sqlite(tmp_path)
    apply_to(engine, project)
    settings = settings_for(project)
    summary = refresh(engine, settings, connection="other", today=TODAY)
    assert [r.kpi for r in summary.results] == ["other-sales"]
    summary = refresh(engine, settings, kpis=["sales"], today=TODAY)
    assert [r.kpi for r in summary.results] == ["sales"]
    with pytest.raises(RefreshError, match="unknown connection 'nope', expected one of: other, "):
        refresh(engine, settings, connection="nope")
    with pytest.raises(RefreshError, match="unknown KPI 'nope'"):
        refresh(engine, settings, kpis=["nope"])
    with pytest.raises(RefreshError, match="KPI 'mood' is entered by hand"):
        refresh(engine, settings, kpis=["mood"])
    with pytest.raises(RefreshError, match="KPI 'sales' reads connection 'warehouse', not 'other'"):
        refresh(engine, settings, kpis=["sales"], connection="other")


def test_more_rows_than_the_limit_fail_the_kpi(tmp_path: Path, duck: Path) -> None:
    project = _project(tmp_path, duck, kpi("sales", MONTHLY))
    engine = _sqlite(tmp_path)
    apply_to(engine, project)
    summary = refresh(engine, settings_for(project, query_row_limit=2), today=TODAY)
    assert summary.results[0].error.startswith("the query returned more than 2 rows")
    assert summary.results[0].rows == 3  # the limit plus one: the rest was never fetched


def test_a_query_whose_driver_ignores_the_cancel_is_given_up_on(
    tmp_path: Path, duck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aligna.measure.warehouse import QueryResult

    # the package exports the function refresh under the module's name
    refresh_module = importlib.import_module("aligna.measure.refresh")

    class Deaf:
        """A warehouse whose queries cannot be stopped."""

        timeout = 0.1

        def run(self, sql: str, *, row_limit: int) -> QueryResult:
            time.sleep(3 if "stuck" in sql else 0)
            return QueryResult(["period", "value"], [("2025-01", 1.0)], 0.0)

        def close(self) -> None:
            pass

    monkeypatch.setattr(refresh_module, "open_warehouse", lambda *a, **k: Deaf())
    monkeypatch.setattr(refresh_module, "ABANDON_AFTER_SECONDS", 0.2)
    monkeypatch.setattr(refresh_module, "SERVER_GRACE_SECONDS", 0.0)
    project = _project(
        tmp_path, duck, kpi("stuck", "select 'stuck'"), kpi("fine", "select 1"), timeout=0.1
    )
    engine = _sqlite(tmp_path)
    apply_to(engine, project)
    started = time.perf_counter()
    summary = refresh(engine, settings_for(project), today=TODAY)
    assert time.perf_counter() - started < 2.5
    results = {r.kpi: r for r in summary.results}
    assert results["fine"].ok
    assert results["stuck"].error == (
        "the query did not stop at its 0.1 s timeout (the driver ignored the cancel); aligna "
        "gave up waiting for it"
    )


def test_due_kpis(tmp_path: Path, duck: Path) -> None:
    daily = "select strftime(day, '%Y-%m-%d') as period, sum(amount) as value from sales group by 1"
    project = _project(
        tmp_path,
        duck,
        kpi("daily", daily, frequency="day"),
        kpi("monthly", MONTHLY),
        kpi("broken", "select 1 as period"),
    )
    engine = _sqlite(tmp_path)
    apply_to(engine, project)
    settings = settings_for(project)
    now = utcnow()

    def due_at(later: timedelta) -> list[str]:
        with session_scope(engine) as session:
            jobs, _ = select_jobs(session, due=True, now=now + later)
        return [job.kpi for job in jobs]

    assert due_at(timedelta(0)) == ["broken", "daily", "monthly"]  # never refreshed
    refresh(engine, settings, due=True, now=now, today=TODAY)
    assert due_at(timedelta(minutes=10)) == []  # the failure waits 15 minutes to retry
    assert due_at(timedelta(minutes=20)) == ["broken"]
    assert due_at(timedelta(hours=2)) == ["broken", "daily"]
    assert due_at(timedelta(hours=13)) == ["broken", "daily", "monthly"]
    summary = refresh(engine, settings, due=True, now=now + timedelta(hours=2), today=TODAY)
    assert sorted(r.kpi for r in summary.results) == ["broken", "daily"]


def test_the_due_rule() -> None:
    now = utcnow()
    hour = timedelta(hours=1)
    assert is_due(Frequency.month, None, None, False, now)
    assert not is_due(Frequency.month, now - 11 * hour, now - 11 * hour, True, now)
    assert is_due(Frequency.month, now - 12 * hour, now - 12 * hour, True, now)
    assert is_due(Frequency.day, now - hour, now - hour, True, now)
    # failed 5 minutes ago: not yet; 20 minutes ago: retried
    assert not is_due(Frequency.day, None, now - timedelta(minutes=5), False, now)
    assert is_due(Frequency.day, None, now - timedelta(minutes=20), False, now)


def test_progress_is_reported_per_kpi(tmp_path: Path, duck: Path) -> None:
    project = _project(tmp_path, duck, kpi("a", MONTHLY), kpi("b", MONTHLY), kpi("c", "select"))
    engine = _sqlite(tmp_path)
    apply_to(engine, project)
    seen: list[tuple[int, int, str | None]] = []
    refresh(
        engine,
        settings_for(project),
        today=TODAY,
        progress=lambda done, total, result: seen.append(
            (done, total, result.kpi if result else None)
        ),
    )
    assert seen[0] == (0, 3, None)
    assert [s[:2] for s in seen[1:]] == [(1, 3), (2, 3), (3, 3)]
    assert sorted(s[2] for s in seen[1:]) == ["a", "b", "c"]
