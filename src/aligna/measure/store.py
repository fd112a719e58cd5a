"""The observation store: KPI values kept with the time they were taken, revised, never lost.

For every (KPI, unit, period) one row is current (`superseded_at` is null). A reading equal to
the current value writes nothing; a new one is revision 1; a different one supersedes the
current row (`superseded_at` = the new row's `taken_at`) and becomes revision n + 1. Periods a
query no longer returns keep their last value: nothing is ever deleted.

Writes are SQLAlchemy Core executemany (see docs/measure.md for the measurement behind this
choice) inside the caller's transaction, after the KPI row is locked so that two refreshes, or a
refresh and a `record`, cannot both create revision n + 1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update

from aligna.measure.contract import Reading
from aligna.model import Kpi, Observation

OBSERVATION = Observation.__table__
# Two values closer than this (relative) are the same value: a warehouse that sums in parallel
# may return the last bits differently from one run to the next, which is not a restatement.
RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class StoredChange:
    """One value written: new (no earlier revision) or revised (with the value it replaced)."""

    reading: Reading
    revision: int
    previous: float | None = None

    @property
    def revised(self) -> bool:
        """Whether it replaced an earlier value."""
        return self.previous is not None


def same_value(a: float, b: float) -> bool:
    """Whether two values are the same for the store (equal up to float noise)."""
    return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE)


def lock_kpi(connection: Connection, kpi_id: int) -> None:
    """Hold the KPI's row until the transaction ends, so its writers take turns."""
    kpi = Kpi.__table__
    if connection.dialect.name == "sqlite":
        # SQLite has no row locks; a no-op write takes the database's write lock at once,
        # before the current values are read. (Not of the key: that would check every table
        # that refers to the KPI.)
        connection.execute(update(kpi).where(kpi.c.id == kpi_id).values(public=kpi.c.public))
    else:
        connection.execute(select(kpi.c.id).where(kpi.c.id == kpi_id).with_for_update())


def current_values(
    connection: Connection, kpi_id: int
) -> dict[tuple[int | None, str], tuple[int, float, int]]:
    """The current (id, value, revision) of each (unit, period) of a KPI."""
    o = OBSERVATION.c
    rows = connection.execute(
        select(o.id, o.unit_id, o.period, o.value, o.revision).where(
            o.kpi_id == kpi_id, o.superseded_at.is_(None)
        )
    )
    return {
        (unit_id, period): (id_, value, revision) for id_, unit_id, period, value, revision in rows
    }


def store_readings(
    connection: Connection,
    kpi_id: int,
    readings: Iterable[Reading],
    *,
    taken_at: datetime,
    source: str,
    actor: str,
) -> list[StoredChange]:
    """Write the readings that are new or changed, in the caller's transaction; return them."""
    lock_kpi(connection, kpi_id)
    current = current_values(connection, kpi_id)
    changes: list[StoredChange] = []
    superseded: list[dict[str, object]] = []
    inserts: list[dict[str, object]] = []
    for reading in readings:
        known = current.get((reading.unit_id, reading.period))
        if known is not None and same_value(known[1], reading.value):
            continue
        revision = 1 if known is None else known[2] + 1
        if known is not None:
            superseded.append({"old_id": known[0]})
        inserts.append(
            {
                "kpi_id": kpi_id,
                "unit_id": reading.unit_id,
                "period": reading.period,
                "value": reading.value,
                "revision": revision,
                "taken_at": taken_at,
                "superseded_at": None,
                "source": source,
                "actor": actor,
                "note": reading.note,
            }
        )
        changes.append(StoredChange(reading, revision, None if known is None else known[1]))
    if superseded:
        connection.execute(
            update(OBSERVATION)
            .where(OBSERVATION.c.id == bindparam("old_id"))
            .values(superseded_at=taken_at),
            superseded,
        )
    if inserts:
        connection.execute(insert(OBSERVATION), inserts)
    return changes
