"""The first layer of warehouse safety: only a single SELECT with nothing that writes is sent."""

from __future__ import annotations

import pytest

from aligna.demo.queries import QUERIES
from aligna.measure.errors import UnsafeQueryError
from aligna.measure.safety import check_read_only, dialect_of

ACCEPTED = [
    ("duckdb", "select 1 as period, 2 as value"),
    ("duckdb", "select 1;"),
    ("duckdb", "from sales"),
    ("duckdb", "with m as (select 1 as x) select x from m"),
    ("postgres", "(select 1) union all (select 2)"),
    ("postgres", "select pg_sleep(1)"),
    # nextval() is a function call to any parser: the read-only transaction stops it
    # (test_measure_warehouse.py shows the sequence does not move).
    ("postgres", "select nextval('s')"),
    ("postgres", "select 1 -- a comment; drop table sales"),
]

REFUSED = [
    # sneaking a write past a check that only looks at the first word
    ("postgres", "with d as (delete from sales returning *) select * from d", "contains DELETE"),
    ("postgres", "select * into copy_of_sales from sales", "contains SELECT ... INTO"),
    ("duckdb", "select 1; drop table sales", "holds 2 statements"),
    ("postgres", "begin; delete from sales; commit", "holds 3 statements"),
    (
        "postgres",
        "select 1 from sales where 1 in "
        "(with d as (delete from sales returning 1) select * from d)",
        "contains DELETE",
    ),
    ("postgres", "/* select */ delete from sales", "is a DELETE statement"),
    ("duckdb", "insert into sales values (1, 2, 3)", "is an INSERT statement"),
    ("duckdb", "update sales set amount = 0", "is an UPDATE statement"),
    ("postgres", "merge into t using s on t.id = s.id when matched then delete", "MERGE"),
    ("duckdb", "create table x as select 1", "is a CREATE statement"),
    ("duckdb", "drop table sales", "is a DROP statement"),
    ("duckdb", "alter table sales add column x int", "is an ALTER statement"),
    ("duckdb", "copy (select 1) to '/tmp/out.csv'", "is a COPY statement"),
    ("duckdb", "attach 'other.duckdb' as other", "is an ATTACH statement"),
    ("duckdb", "pragma version", "is a PRAGMA statement"),
    ("duckdb", "set threads = 1", "is a SET statement"),
    ("duckdb", "call pragma_version()", "is a CALL statement"),
    ("duckdb", "install httpfs", "is an INSTALL statement"),
    ("postgres", "select * from sales for update", "FOR UPDATE"),
    ("postgres", "vacuum", "is a VACUUM statement"),
    ("postgres", "values (1, 2)", "is a VALUES statement"),
    ("postgres", "do $$ begin delete from sales; end $$", "is a DO statement"),
    ("postgres", "select set_config('default_transaction_read_only', 'off', false)", "set_config"),
    ("postgres", "select query_to_xml('delete from sales', true, false, '')", "query_to_xml"),
    ("duckdb", "select * from query('select 1')", "calls query()"),
    ("postgres", "select pg_terminate_backend(1)", "pg_terminate_backend"),
    ("duckdb", "", "is empty"),
    ("duckdb", "select (", "cannot be read as duckdb SQL"),
]


@pytest.mark.parametrize(("dialect", "sql"), ACCEPTED)
def test_a_single_select_passes(dialect: str, sql: str) -> None:
    check_read_only(sql, dialect)


@pytest.mark.parametrize(("dialect", "sql", "reason"), REFUSED)
def test_anything_that_writes_is_refused(dialect: str, sql: str, reason: str) -> None:
    with pytest.raises(UnsafeQueryError) as refused:
        check_read_only(sql, dialect)
    assert reason in str(refused.value)


def test_every_demo_query_passes() -> None:
    for sql in QUERIES.values():
        check_read_only(sql, "duckdb")


def test_dialects_follow_the_sqlalchemy_backend() -> None:
    assert dialect_of("duckdb") == "duckdb"
    assert dialect_of("postgresql+psycopg") == "postgres"
    assert dialect_of("snowflake") == "snowflake"
    assert dialect_of("someday-db") is None
