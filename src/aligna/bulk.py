"""Bulk reads and writes of whole tables, for observations and evaluations.

PostgreSQL goes through ADBC (Arrow, binary COPY). SQLite does NOT, although DESIGN.md chose
ADBC for it too: the ADBC driver carries its own copy of SQLite, and two copies of SQLite in
one process that open the same file break each other's POSIX locks (closing one copy's file
releases the other's locks), which corrupted a database here ("database disk image is
malformed", see docs/decisions.md). SQLite bulk work uses the process's one sqlite3 module:
plain DBAPI executemany and fetchall, with no ORM or Core overhead per row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import polars as pl
import pyarrow as pa
from sqlalchemy import Engine
from sqlalchemy.engine import make_url


def _adbc_connect(engine: Engine) -> Any | None:
    url = make_url(engine.url.render_as_string(hide_password=False))
    if url.get_backend_name() == "postgresql":
        import adbc_driver_postgresql.dbapi

        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return adbc_driver_postgresql.dbapi.connect(plain)
    return None


# An ADBC connection to PostgreSQL takes ~50 ms to open (authentication, type catalogue):
# more than most reads. Code that reads many frames in a row shares one (see shared_reads).
_shared: ContextVar[tuple[str, Any] | None] = ContextVar("aligna_shared_reads", default=None)


@contextmanager
def shared_reads(engine: Engine) -> Iterator[None]:
    """Let every read_frame on this engine inside the block use one connection."""
    connection = _adbc_connect(engine)
    if connection is None:  # SQLite connections are cheap and come from the engine's pool
        yield
        return
    token = _shared.set((str(engine.url), connection))
    try:
        yield
    finally:
        _shared.reset(token)
        connection.close()


def read_frame(engine: Engine, sql: str) -> pl.DataFrame:
    """Run a read query and return its rows as a Polars frame (ADBC when available)."""
    shared = _shared.get()
    if shared is not None and shared[0] == str(engine.url):
        return _read_adbc(shared[1], sql)
    connection = _adbc_connect(engine)
    if connection is None:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(sql)
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            cursor.close()
        finally:
            raw.close()
        if not rows:
            return pl.DataFrame(schema=dict.fromkeys(columns, pl.Null))
        return pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None)
    try:
        return _read_adbc(connection, sql)
    finally:
        connection.close()


def _read_adbc(connection: Any, sql: str) -> pl.DataFrame:
    cursor = connection.cursor()
    try:
        cursor.execute(sql)
        table = cursor.fetch_arrow_table()
    finally:
        cursor.close()
    # Reads never leave a transaction open on a shared connection (ADBC is not autocommit).
    connection.rollback()
    return pl.from_arrow(table)  # type: ignore[return-value]


@contextmanager
def bulk_transaction(engine: Engine) -> Iterator[BulkWriter]:
    """One transaction for a batch of deletes and appends: all of it lands, or none."""
    connection = _adbc_connect(engine)
    if connection is None:
        raw = engine.raw_connection()
        try:
            writer = BulkWriter(None, raw)
            yield writer
            raw.commit()
        except BaseException:
            raw.rollback()
            raise
        finally:
            raw.close()
        return
    try:
        writer = BulkWriter(connection, None)
        yield writer
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()


class BulkWriter:
    """Deletes and appends inside a bulk transaction."""

    def __init__(self, adbc: Any | None, dbapi: Any | None) -> None:
        self.adbc = adbc
        self.dbapi = dbapi

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        """Run one statement (a DELETE, an UPDATE) in the transaction."""
        if self.adbc is not None:
            cursor = self.adbc.cursor()
            cursor.execute(sql, parameters if parameters else None)
            cursor.close()
        else:
            cursor = self.dbapi.cursor()
            cursor.execute(sql, tuple(parameters))
            cursor.close()

    def analyze(self, table: str) -> None:
        """Refresh the planner's statistics of a table whose rows were all replaced.

        PostgreSQL only: its planner chooses between index and sequential scans by them,
        and autovacuum may come minutes later. SQLite's planner uses indexes without them.
        """
        if self.adbc is not None:
            self.execute(f'ANALYZE "{table}"')

    def append(self, table: str, frame: pl.DataFrame) -> int:
        """Append a frame's rows to an existing table; columns are matched by name."""
        if frame.height == 0:
            return 0
        # Integer columns are 32-bit (SQLAlchemy Integer); PostgreSQL's binary COPY insists.
        frame = frame.with_columns(pl.col(pl.Int64).cast(pl.Int32))
        if self.adbc is not None:
            cursor = self.adbc.cursor()
            arrow: pa.Table = frame.to_arrow()
            cursor.adbc_ingest(table, arrow, mode="append")
            cursor.close()
        else:
            columns = ", ".join(f'"{c}"' for c in frame.columns)
            marks = ", ".join("?" for _ in frame.columns)
            cursor = self.dbapi.cursor()
            cursor.executemany(
                f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', frame.iter_rows()
            )
            cursor.close()
        return frame.height
