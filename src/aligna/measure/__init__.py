"""Measure: warehouse connections, running KPI queries safely, and the observation store.

The public entry points are `refresh` (run the query KPIs and keep what they return) and
`record_values` / `read_import_file` (values entered by hand); see docs/measure.md.
"""

from aligna.measure.contract import KpiShape, Reading, read_rows
from aligna.measure.errors import (
    ContractError,
    MeasureError,
    QueryTimeout,
    RefreshError,
    SecretError,
    UnsafeQueryError,
    WarehouseError,
)
from aligna.measure.record import (
    ManualValue,
    RecordError,
    RecordResult,
    read_import_file,
    record_values,
)
from aligna.measure.refresh import KpiResult, RefreshSummary, organisation_today, refresh
from aligna.measure.safety import check_read_only
from aligna.measure.selection import is_due, select_jobs
from aligna.measure.store import store_readings
from aligna.measure.warehouse import ConnectionSpec, QueryResult, Warehouse, open_warehouse

__all__ = [
    "ConnectionSpec",
    "ContractError",
    "KpiResult",
    "KpiShape",
    "ManualValue",
    "MeasureError",
    "QueryResult",
    "QueryTimeout",
    "Reading",
    "RecordError",
    "RecordResult",
    "RefreshError",
    "RefreshSummary",
    "SecretError",
    "UnsafeQueryError",
    "Warehouse",
    "WarehouseError",
    "check_read_only",
    "is_due",
    "open_warehouse",
    "organisation_today",
    "read_import_file",
    "read_rows",
    "record_values",
    "refresh",
    "select_jobs",
    "store_readings",
]
