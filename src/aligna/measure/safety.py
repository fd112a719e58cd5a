"""Warehouse safety, first layer: a KPI query must be one SELECT with nothing that writes.

The SQL is parsed with sqlglot in the connection's dialect and its whole tree is searched, so
`WITH d AS (DELETE ... RETURNING *) SELECT ...`, `SELECT ... INTO new_table` and a second
statement after a `;` are refused even though they start like a query. This layer catches
mistakes and most tricks before anything reaches the warehouse; the read-only session the
query then runs in (see warehouse.py) is what guarantees nothing is written.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from aligna.measure.errors import UnsafeQueryError

# SQLAlchemy backend names -> sqlglot dialects. Unknown backends parse as generic SQL.
DIALECTS = {
    "duckdb": "duckdb",
    "postgresql": "postgres",
    "sqlite": "sqlite",
    "mysql": "mysql",
    "mariadb": "mysql",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "trino": "trino",
    "presto": "presto",
    "databricks": "databricks",
    "redshift": "redshift",
    "mssql": "tsql",
    "oracle": "oracle",
    "clickhouse": "clickhouse",
}

# Statement kinds that write, change the session or leave the query language. Any of them
# anywhere in the tree refuses the query. Names missing from the installed sqlglot are skipped.
_WRITING_NODES = (
    "DML",  # INSERT, UPDATE, DELETE, MERGE, COPY
    "DDL",  # CREATE, ...
    "Insert",
    "Update",
    "Delete",
    "Merge",
    "Copy",
    "Create",
    "Drop",
    "Alter",
    "AlterTable",
    "TruncateTable",
    "Into",  # SELECT ... INTO new_table
    "Lock",  # SELECT ... FOR UPDATE takes row locks
    "Set",
    "Pragma",
    "Attach",
    "Detach",
    "Use",
    "Install",
    "LoadData",
    "Transaction",
    "Commit",
    "Rollback",
    "Grant",
    "Revoke",
    "Analyze",
    "Cache",
    "Uncache",
    "Refresh",
    "Kill",
    "Execute",
    "Export",
    "Declare",
    "Comment",
    "Put",
    "Get",
    "Command",  # whatever sqlglot could not parse as SQL it knows: CALL, VACUUM, LOAD, DO ...
)
WRITING_NODES: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name) for name in _WRITING_NODES if hasattr(exp, name)
)

# Functions that run SQL given as text, or act outside the query (signal other sessions,
# change settings, touch server files, take locks). Defence in depth: the read-only session
# and a read-only role stop their writes too, but there is no reason to send them at all.
FORBIDDEN_FUNCTIONS = frozenset(
    {
        # run SQL given as text
        "query",
        "query_table",
        "query_to_xml",
        "query_to_xml_and_xmlschema",
        "query_to_xmlschema",
        "cursor_to_xml",
        "dblink",
        "dblink_exec",
        "dblink_connect",
        "dblink_send_query",
        # settings, other sessions, the server
        "set_config",
        "pg_terminate_backend",
        "pg_cancel_backend",
        "pg_reload_conf",
        "pg_rotate_logfile",
        "pg_switch_wal",
        "pg_create_restore_point",
        "pg_promote",
        "pg_notify",
        "pg_logical_emit_message",
        # server files and large objects
        "lo_import",
        "lo_export",
        "lo_unlink",
        "lo_create",
        "lo_creat",
        "lo_from_bytea",
        "lo_put",
        "lo_truncate",
        "pg_file_write",
        "pg_file_rename",
        "pg_file_unlink",
        "pg_read_file",
        "pg_read_binary_file",
        "pg_ls_dir",
        # locks that outlive the statement
        "pg_advisory_lock",
        "pg_advisory_lock_shared",
        "pg_try_advisory_lock",
        "pg_try_advisory_lock_shared",
    }
)

QUERY_ROOTS = (exp.Select, exp.SetOperation)


def dialect_of(backend: str) -> str | None:
    """The sqlglot dialect for a SQLAlchemy backend name (None: generic SQL)."""
    return DIALECTS.get(backend.split("+", 1)[0].lower())


def check_read_only(sql: str, dialect: str | None) -> None:
    """Refuse SQL that is not a single SELECT (or UNION/WITH of SELECTs) free of writes."""
    _check(sql, dialect)


@lru_cache(maxsize=50_000)
def _check(sql: str, dialect: str | None) -> None:
    # Cached: the same KPI queries are checked at every refresh, and parsing is the slow part.
    name = dialect or "generic"
    if not sql or not sql.strip():
        raise UnsafeQueryError("the query is empty, expected a SELECT returning period and value")
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)  # sqlglot warns when it falls back to a raw Command
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except SqlglotError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UnsafeQueryError(
            f"the query cannot be read as {name} SQL ({_plain(first)}), so it was not run; "
            "expected a single SELECT"
        ) from None
    finally:
        logger.setLevel(level)
    if len(statements) != 1:
        raise UnsafeQueryError(
            f"the query holds {len(statements)} statements, expected a single SELECT "
            "(nothing was run)"
        )
    root = statements[0]
    while isinstance(root, exp.Subquery):
        root = root.this
    if not isinstance(root, QUERY_ROOTS):
        what = "not a statement" if isinstance(root, exp.Condition) else _a(_kind(root))
        raise UnsafeQueryError(f"the query is {what}, expected a single SELECT (nothing was run)")
    for node in root.walk():
        if isinstance(node, WRITING_NODES):
            raise UnsafeQueryError(
                f"the query contains {_kind(node)}, which writes or changes the session; "
                "expected a read-only SELECT (nothing was run)"
            )
        if isinstance(node, exp.Func):
            function = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
            if function in FORBIDDEN_FUNCTIONS:
                raise UnsafeQueryError(
                    f"the query calls {function}(), which runs SQL given as text or acts outside "
                    "the query; expected a read-only SELECT (nothing was run)"
                )


def _kind(node: exp.Expression) -> str:
    if isinstance(node, exp.Into):
        return "SELECT ... INTO"
    if isinstance(node, exp.Lock):
        return "SELECT ... FOR UPDATE/SHARE"
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    key = node.key.upper()
    return {"ALTERTABLE": "ALTER", "TRUNCATETABLE": "TRUNCATE", "LOADDATA": "LOAD DATA"}.get(
        key, key
    )


def _a(kind: str) -> str:
    article = "an" if kind[:1] in "AEIOU" else "a"
    return f"{article} {kind} statement"


def _plain(text: str) -> str:
    # sqlglot underlines the offending token with terminal escape codes.
    return text.replace("\x1b[4m", "").replace("\x1b[0m", "")
