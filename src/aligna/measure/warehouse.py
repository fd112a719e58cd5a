"""Warehouse connections: open read-only, run one query under a timeout, fetch a bounded result.

Second layer of warehouse safety (the first is safety.py): every query runs in a session that
cannot write.

- DuckDB: the file is opened `read_only=True` with external access disabled (read-only alone
  still lets `COPY ... TO` and `read_csv` reach the file system) and the configuration locked.
  DuckDB has no statement timeout, so a watchdog thread calls `interrupt()` at the deadline.
- PostgreSQL: each query runs in a `SET TRANSACTION READ ONLY` transaction with
  `SET LOCAL statement_timeout`; a watchdog cancels it a little after the deadline should the
  server not stop it (a stalled network).
- SQLite: the file is opened read-only (`mode=ro`) with `PRAGMA query_only`; the watchdog
  calls `interrupt()`.
- Any other SQLAlchemy URL (Snowflake, BigQuery, Trino, Databricks, ...): the watchdog cancels
  the query when the driver can; read-only is the job of the role aligna connects as, which the
  operator must make read-only (docs/measure.md).
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from aligna.measure.errors import QueryTimeout, WarehouseError
from aligna.measure.safety import dialect_of
from aligna.measure.secrets import Resolver, masked_url
from aligna.settings import resolve_relative_url

# How long after its own statement timeout a server gets before the watchdog cancels.
SERVER_GRACE_SECONDS = 2.0
# DuckDB settings aligna always imposes, whatever the connection's options say.
DUCKDB_SAFE_CONFIG: dict[str, Any] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}
QUERY_CANCELED = "57014"  # PostgreSQL SQLSTATE of a statement cancelled (by timeout or cancel)


@dataclass(frozen=True)
class ConnectionSpec:
    """A warehouse connection as declared: its id, URL with ${VAR} references, timeout, options."""

    id: str
    url: str
    timeout_seconds: float | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def backend(self) -> str:
        """The SQLAlchemy backend name (duckdb, postgresql, ...); no secret is needed for it."""
        try:
            return make_url(self.url).get_backend_name()
        except ArgumentError:
            return ""

    @property
    def dialect(self) -> str | None:
        """The sqlglot dialect its queries are parsed in."""
        return dialect_of(self.backend)


@dataclass(frozen=True)
class QueryResult:
    """The column names and at most row_limit + 1 rows of one query, and how long it took."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    seconds: float


class Watchdog:
    """Calls `stop` once if the block it guards is still running after `seconds`."""

    def __init__(self, seconds: float, stop: Callable[[], object]) -> None:
        self.seconds = seconds
        self.stop = stop
        self.fired = False
        self._timer: threading.Timer | None = None

    def _fire(self) -> None:
        self.fired = True
        # The query may have just ended: then there is nothing left to stop.
        with contextlib.suppress(Exception):
            self.stop()

    def __enter__(self) -> Watchdog:
        self._timer = threading.Timer(self.seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._timer is not None:
            self._timer.cancel()


class Warehouse(ABC):
    """An open warehouse connection that runs read-only queries under a timeout."""

    def __init__(self, spec: ConnectionSpec, timeout: float, resolver: Resolver) -> None:
        self.spec = spec
        self.timeout = timeout
        self.resolver = resolver

    @abstractmethod
    def run(self, sql: str, *, row_limit: int) -> QueryResult:
        """Run one query read-only; fetch at most row_limit + 1 rows."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def _timed_out(self) -> QueryTimeout:
        return QueryTimeout(
            f"the query ran longer than {_seconds(self.timeout)} and was stopped "
            f"(timeout_seconds of connection '{self.spec.id}')"
        )

    def _failed(self, exc: BaseException) -> WarehouseError:
        message = str(getattr(exc, "orig", None) or exc).strip() or type(exc).__name__
        return WarehouseError(self.resolver.mask(message))


def open_warehouse(
    spec: ConnectionSpec,
    *,
    project: Path | None = None,
    default_timeout: float = 30.0,
    pool_size: int = 4,
    environ: Mapping[str, str] | None = None,
) -> Warehouse:
    """Open a connection read-only; secrets are read from the environment now."""
    timeout = spec.timeout_seconds if spec.timeout_seconds else default_timeout
    resolver = Resolver(spec.id, environ)
    raw = resolve_relative_url(spec.url, project)
    url = resolver.url(raw)
    options = resolver.value(dict(spec.options), "options")
    if url.get_backend_name() == "duckdb":
        return DuckDBWarehouse(spec, timeout, resolver, url, options)
    return SqlAlchemyWarehouse(spec, timeout, resolver, url, options, pool_size)


class DuckDBWarehouse(Warehouse):
    """A DuckDB file opened read-only, without access to files or the network."""

    def __init__(
        self,
        spec: ConnectionSpec,
        timeout: float,
        resolver: Resolver,
        url: URL,
        options: dict[str, Any],
    ) -> None:
        import duckdb

        super().__init__(spec, timeout, resolver)
        path = url.database
        if not path or path == ":memory:":
            raise WarehouseError(
                f"connection '{spec.id}': an in-memory DuckDB holds no data, expected "
                "duckdb:///path/to/warehouse.duckdb"
            )
        if not Path(path).is_file():
            raise WarehouseError(f"connection '{spec.id}': no DuckDB file at {path}")
        config = {**options, **DUCKDB_SAFE_CONFIG}
        try:
            self._db = duckdb.connect(path, read_only=True, config=config)
        except duckdb.Error as exc:
            raise WarehouseError(
                f"connection '{spec.id}': cannot open {path} read-only: {resolver.mask(str(exc))}"
            ) from None
        self._lock = threading.Lock()

    def run(self, sql: str, *, row_limit: int) -> QueryResult:
        """Run one query on its own cursor; a watchdog interrupts it at the deadline."""
        import duckdb

        started = time.perf_counter()
        with self._lock:
            cursor = self._db.cursor()
        try:
            with Watchdog(self.timeout, cursor.interrupt) as watchdog:
                try:
                    cursor.execute(sql)
                    columns = [d[0] for d in cursor.description or ()]
                    rows = cursor.fetchmany(row_limit + 1)
                except duckdb.Error as exc:
                    if watchdog.fired:
                        raise self._timed_out() from None
                    raise self._failed(exc) from None
        finally:
            cursor.close()
        return QueryResult(columns, rows, time.perf_counter() - started)

    def close(self) -> None:
        """Close the database."""
        self._db.close()


class SqlAlchemyWarehouse(Warehouse):
    """Any other warehouse, through SQLAlchemy: PostgreSQL, SQLite, Snowflake, BigQuery, ..."""

    def __init__(
        self,
        spec: ConnectionSpec,
        timeout: float,
        resolver: Resolver,
        url: URL,
        options: dict[str, Any],
        pool_size: int,
    ) -> None:
        super().__init__(spec, timeout, resolver)
        self.backend = url.get_backend_name()
        connect_args = dict(options)
        if self.backend == "postgresql":
            connect_args.setdefault("connect_timeout", max(2, math.ceil(timeout)))
        elif self.backend == "sqlite":
            url = _sqlite_read_only(url)
            connect_args["check_same_thread"] = False
        try:
            self.engine: Engine = create_engine(
                url, connect_args=connect_args, pool_size=pool_size, max_overflow=pool_size
            )
        except (ArgumentError, NoSuchModuleError, ImportError, TypeError) as exc:
            raise WarehouseError(
                f"connection '{spec.id}': cannot use {masked_url(spec.url)}: "
                f"{resolver.mask(str(exc))}"
            ) from None
        if self.backend == "sqlite":
            event.listen(self.engine, "connect", _sqlite_query_only)

    def _session_statements(self) -> list[str]:
        if self.backend == "postgresql":
            return [
                "SET TRANSACTION READ ONLY",
                f"SET LOCAL statement_timeout = {max(1, round(self.timeout * 1000))}",
            ]
        return []

    def _watchdog_seconds(self) -> float:
        server_timeout = self.backend == "postgresql"
        return self.timeout + (SERVER_GRACE_SECONDS if server_timeout else 0.0)

    def run(self, sql: str, *, row_limit: int) -> QueryResult:
        """Run one query in a read-only transaction, streaming at most row_limit + 1 rows."""
        started = time.perf_counter()
        try:
            connection = self.engine.connect()
        except SQLAlchemyError as exc:
            raise WarehouseError(
                f"connection '{self.spec.id}': cannot connect: {self._failed(exc)}"
            ) from None
        with connection:
            dbapi = connection.connection.dbapi_connection
            quiet = connection.execution_options(no_parameters=True)
            with Watchdog(self._watchdog_seconds(), lambda: _cancel(dbapi)) as watchdog:
                try:
                    for statement in self._session_statements():
                        quiet.exec_driver_sql(statement)
                    result = quiet.execution_options(stream_results=True).exec_driver_sql(sql)
                    if not result.returns_rows:
                        raise WarehouseError("the query returned no result set")
                    columns = list(result.keys())
                    rows = [tuple(row) for row in result.fetchmany(row_limit + 1)]
                    result.close()
                except DBAPIError as exc:
                    if watchdog.fired or _sqlstate(exc) == QUERY_CANCELED:
                        raise self._timed_out() from None
                    raise self._failed(exc) from None
                finally:
                    connection.rollback()
        return QueryResult(columns, rows, time.perf_counter() - started)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _sqlite_read_only(url: URL) -> URL:
    """The same SQLite file opened as a read-only URI (`file:...?mode=ro`)."""
    path = url.database or ""
    if not path or path == ":memory:":
        return url
    if not path.startswith("file:"):
        path = f"file:{path}"
    return url.set(database=path).update_query_dict({"mode": "ro", "uri": "true"})


def _sqlite_query_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only = ON")
    cursor.close()


def _cancel(dbapi: Any) -> None:
    """Stop the statement running on a DBAPI connection, by whatever means the driver has."""
    for name in ("cancel_safe", "cancel", "interrupt"):
        method = getattr(dbapi, name, None)
        if callable(method):
            method()
            return


def _sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def _seconds(value: float) -> str:
    return f"{value:g} s"
