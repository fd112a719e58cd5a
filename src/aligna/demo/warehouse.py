"""The demo warehouse: a DuckDB file of three years of daily operational data."""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from aligna.demo import data_operations as ops
from aligna.demo import data_people as hr
from aligna.demo import data_sales as sales
from aligna.demo import data_service as service
from aligna.demo.organisation import Organisation
from aligna.demo.staffing import build_staffing
from aligna.demo.timeline import Timeline, dates

Progress = Callable[[float], None]


@dataclass(frozen=True)
class WarehouseInfo:
    """What was written: table names in creation order and their row counts."""

    tables: tuple[str, ...]
    rows: tuple[int, ...]

    @property
    def total_rows(self) -> int:
        """Rows over all tables."""
        return sum(self.rows)


def _rng(seed: int, table: str) -> np.random.Generator:
    """One random stream per table, so that tables do not depend on each other's draws."""
    return np.random.default_rng([seed, zlib.crc32(table.encode())])


def _org_units(org: Organisation) -> pa.Table:
    """The unit dimension, with each unit's division and region for breakdown queries."""
    units = list(org.units.values())
    division = [org.nearest_of_kind(u.id, "division") for u in units]
    return pa.table(
        {
            "id": [u.id for u in units],
            "name": [u.name for u in units],
            "kind": [u.kind for u in units],
            "parent": [u.parent for u in units],
            "division": division,
            "region": [org.nearest_of_kind(u.id, "region") for u in units],
            "depth": pa.array([u.depth for u in units], type=pa.int32()),
        }
    )


def _calendar(tl: Timeline) -> pa.Table:
    """One row per day of the data, so that sums over days without events show zeros."""
    return pa.table({"day": dates(tl.days), "is_weekday": tl.dow < 5})


def build_warehouse(
    path: Path, org: Organisation, today: date, seed: int, progress: Progress | None = None
) -> WarehouseInfo:
    """Write the warehouse to a temporary file, then move it into place."""
    tl = Timeline.ending_yesterday(today)
    staff = build_staffing(org)
    dm = sales.demand(tl, staff)
    made: dict[str, pa.Table] = {}
    steps: list[tuple[str, Callable[[], pa.Table]]] = [
        ("org_units", lambda: _org_units(org)),
        ("calendar", lambda: _calendar(tl)),
        ("products", lambda: sales.products_table(tl)),
        ("orders", lambda: sales.orders_table(_rng(seed, "orders"), tl, staff, dm)),
        (
            "deliveries",
            lambda: sales.deliveries_table(_rng(seed, "deliveries"), tl, staff, made["orders"]),
        ),
        ("nps_responses", lambda: sales.nps_table(_rng(seed, "nps"), tl, staff)),
        ("tickets", lambda: service.tickets_table(_rng(seed, "tickets"), tl, staff)),
        (
            "warranty_claims",
            lambda: service.warranty_claims_table(_rng(seed, "claims"), tl, staff, dm),
        ),
        ("production_runs", lambda: ops.production_runs_table(_rng(seed, "runs"), tl, staff, dm)),
        (
            "supplier_receipts",
            lambda: ops.supplier_receipts_table(_rng(seed, "receipts"), tl, staff),
        ),
        ("inventory_snapshots", lambda: ops.inventory_table(_rng(seed, "inventory"), tl, dm)),
        ("incidents", lambda: ops.incidents_table(_rng(seed, "incidents"), tl, staff)),
        ("offers", lambda: hr.offers_table(_rng(seed, "offers"), tl, staff)),
        ("leavers", lambda: hr.leavers_table(_rng(seed, "leavers"), tl, staff)),
        ("headcount", lambda: hr.headcount_table(tl, staff)),
        ("training_sessions", lambda: hr.training_table(_rng(seed, "training"), tl, staff)),
    ]
    partial = path.with_name(f".{path.name}.partial")
    _remove(partial)
    rows: list[int] = []
    # One thread: the same seed then writes the same blocks in the same places, so two builds
    # differ only in DuckDB's header (its checksum and random database id); it costs ~1 s.
    con = duckdb.connect(str(partial), config={"threads": 1})
    try:
        for k, (name, make) in enumerate(steps):
            table = make()
            if name == "orders":
                made[name] = table  # the deliveries are drawn from the orders
            elif name == "deliveries":
                made.clear()
            con.register("incoming", table)
            con.execute(f"create table {name} as select * from incoming")
            con.unregister("incoming")
            rows.append(table.num_rows)
            if progress:
                progress((k + 1) / len(steps))
        con.execute("checkpoint")
    except BaseException:
        con.close()
        _remove(partial)
        raise
    con.close()
    os.replace(partial, path)
    return WarehouseInfo(tuple(name for name, _ in steps), tuple(rows))


def _remove(path: Path) -> None:
    """Delete a database file and its write-ahead log, if there."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
