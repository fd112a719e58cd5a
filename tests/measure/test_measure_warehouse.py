"""The second layer of warehouse safety: sessions that cannot write, timeouts, secrets, limits.

These tests call the warehouse directly, past the SQL check of safety.py, to show that even a
statement that got through would change nothing.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from measure_support import (
    MONTHLY,
    PG_MONTHLY,
    duckdb_dump,
    duckdb_warehouse,
    postgres_dump,
    postgres_warehouse,
)
from sqlalchemy import make_url

from aligna.measure.errors import QueryTimeout, SecretError, WarehouseError
from aligna.measure.warehouse import ConnectionSpec, open_warehouse

HANG_DUCKDB = "select sum(a.range * b.range) from range(100000000) a, range(100000000) b"


@pytest.fixture
def duck(tmp_path: Path) -> Path:
    return duckdb_warehouse(tmp_path / "warehouse.duckdb", "create sequence ids")


def test_duckdb_runs_a_query_and_fetches_at_most_the_limit_plus_one(duck: Path) -> None:
    warehouse = open_warehouse(ConnectionSpec("dw", f"duckdb:///{duck}"))
    result = warehouse.run(MONTHLY, row_limit=100)
    assert result.columns == ["period", "value"]
    assert result.rows == [("2025-10", 15.0), ("2025-11", 18.0), ("2025-12", 15.0)]
    assert len(warehouse.run("select * from range(1000000)", row_limit=10).rows) == 11
    warehouse.close()


def test_relative_duckdb_paths_are_relative_to_the_project(duck: Path) -> None:
    warehouse = open_warehouse(
        ConnectionSpec("dw", "duckdb:///warehouse.duckdb"), project=duck.parent
    )
    assert warehouse.run("select count(*) from sales", row_limit=1).rows == [(6,)]
    warehouse.close()


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("delete from sales", "read-only"),
        ("create table t (x int)", "read-only"),
        ("select nextval('ids')", "read-only"),
        ("copy sales to '{folder}/out.csv'", "file system operations are disabled"),
        ("select * from read_csv('{folder}/x.csv')", "file system operations are disabled"),
        ("attach '{folder}/other.duckdb' as other", "disabled"),
        ("set enable_external_access = true", "locked"),
    ],
)
def test_duckdb_is_read_only_and_cut_off_from_files(duck: Path, sql: str, reason: str) -> None:
    (duck.parent / "x.csv").write_text("a\n1\n")
    before = duckdb_dump(duck)
    warehouse = open_warehouse(ConnectionSpec("dw", f"duckdb:///{duck}"))
    with pytest.raises(WarehouseError) as refused:
        warehouse.run(sql.format(folder=duck.parent), row_limit=10)
    warehouse.close()
    assert reason in str(refused.value)
    assert duckdb_dump(duck) == before
    assert not (duck.parent / "out.csv").exists()
    assert not (duck.parent / "other.duckdb").exists()


def test_duckdb_options_cannot_undo_the_safety_settings(duck: Path) -> None:
    spec = ConnectionSpec("dw", f"duckdb:///{duck}", options={"enable_external_access": True})
    warehouse = open_warehouse(spec)
    with pytest.raises(WarehouseError, match="file system operations are disabled"):
        warehouse.run(f"copy sales to '{duck.parent}/out.csv'", row_limit=10)
    warehouse.close()


def test_a_hanging_duckdb_query_is_interrupted_at_its_timeout(duck: Path) -> None:
    warehouse = open_warehouse(ConnectionSpec("dw", f"duckdb:///{duck}", timeout_seconds=0.5))
    started = time.perf_counter()
    with pytest.raises(QueryTimeout) as stopped:
        warehouse.run(HANG_DUCKDB, row_limit=10)
    assert time.perf_counter() - started < 5
    assert str(stopped.value) == (
        "the query ran longer than 0.5 s and was stopped (timeout_seconds of connection 'dw')"
    )
    # the connection is still usable
    assert warehouse.run("select 1", row_limit=1).rows == [(1,)]
    warehouse.close()


def test_the_setting_is_the_timeout_of_a_connection_without_one(duck: Path) -> None:
    warehouse = open_warehouse(ConnectionSpec("dw", f"duckdb:///{duck}"), default_timeout=0.3)
    assert warehouse.timeout == 0.3
    with pytest.raises(QueryTimeout):
        warehouse.run(HANG_DUCKDB, row_limit=10)
    warehouse.close()


def test_a_missing_duckdb_file_or_an_in_memory_one_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match=r"connection 'dw': no DuckDB file at .*nope\.duckdb"):
        open_warehouse(ConnectionSpec("dw", "duckdb:///nope.duckdb"), project=tmp_path)
    with pytest.raises(WarehouseError, match="an in-memory DuckDB holds no data"):
        open_warehouse(ConnectionSpec("dw", "duckdb:///:memory:"))


def test_sqlite_is_opened_read_only_and_interrupted_at_its_timeout(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("create table sales (amount real)")
        db.execute("insert into sales values (1.5)")
    db.close()
    warehouse = open_warehouse(ConnectionSpec("lite", f"sqlite:///{path}", timeout_seconds=0.5))
    assert warehouse.run("select amount from sales", row_limit=5).rows == [(1.5,)]
    with pytest.raises(WarehouseError, match="readonly database"):
        warehouse.run("delete from sales", row_limit=5)
    forever = (
        "with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r"
    )
    with pytest.raises(QueryTimeout):
        warehouse.run(forever, row_limit=5)
    warehouse.close()
    with sqlite3.connect(path) as db:
        assert db.execute("select amount from sales").fetchall() == [(1.5,)]
    db.close()


def test_secrets_come_from_the_environment_when_the_connection_opens(duck: Path) -> None:
    spec = ConnectionSpec("dw", "duckdb:///${WAREHOUSE_DIR}/warehouse.duckdb")
    warehouse = open_warehouse(spec, environ={"WAREHOUSE_DIR": str(duck.parent)})
    assert warehouse.run("select count(*) from sales", row_limit=1).rows == [(6,)]
    warehouse.close()
    with pytest.raises(SecretError) as missing:
        open_warehouse(spec, environ={})
    assert str(missing.value) == (
        "connection 'dw': the environment variable WAREHOUSE_DIR is not set (the url's database "
        "refers to it as ${WAREHOUSE_DIR}); set it where aligna runs"
    )


@pytest.mark.postgresql
def test_postgresql_reads_in_a_read_only_transaction(postgres_server: str) -> None:
    url = postgres_warehouse(postgres_server, "create sequence ids")
    before = postgres_dump(url)
    warehouse = open_warehouse(ConnectionSpec("pg", url))
    assert warehouse.run(PG_MONTHLY, row_limit=10).rows == [
        ("2025-10", 15.0),
        ("2025-11", 18.0),
        ("2025-12", 15.0),
    ]
    # nextval() passes any parser as a function call; the read-only transaction stops it
    for sql in ("select nextval('ids')", "select * from sales for update"):
        with pytest.raises(WarehouseError, match="read-only transaction"):
            warehouse.run(sql, row_limit=10)
    warehouse.close()
    assert postgres_dump(url) == before


@pytest.mark.postgresql
def test_postgresql_statement_timeout_and_secrets(
    postgres_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = make_url(postgres_warehouse(postgres_server))
    # the user name and the database come from the environment, the password too (ignored by
    # the throwaway cluster's trust authentication, but resolved and masked all the same)
    raw = url.set(username="${PG_USER}", password="${PG_PASSWORD}", database="${PG_DB}")
    spec = ConnectionSpec("pg", raw.render_as_string(hide_password=False), timeout_seconds=1)
    environ = {"PG_USER": "postgres", "PG_PASSWORD": "s3cret-Value", "PG_DB": url.database or ""}
    warehouse = open_warehouse(spec, environ=environ)
    started = time.perf_counter()
    with pytest.raises(QueryTimeout, match="longer than 1 s"):
        warehouse.run("select pg_sleep(30), 1 as value", row_limit=1)
    assert time.perf_counter() - started < 5
    with pytest.raises(WarehouseError) as failed:
        warehouse.run("select 's3cret-Value'::int", row_limit=1)
    assert "s3cret-Value" not in str(failed.value) and "***" in str(failed.value)
    warehouse.close()
    with pytest.raises(SecretError, match="PG_PASSWORD is not set"):
        open_warehouse(spec, environ={"PG_USER": "postgres", "PG_DB": "x"})
