"""A lease in the scheduler_lease table: which one process runs the embedded scheduler.

Taking and renewing are one conditional UPDATE, atomic on SQLite (writes are serialised) and
on PostgreSQL (a second UPDATE waits for the first's row lock, then re-checks its WHERE on the
new row and matches nothing):

    UPDATE scheduler_lease SET holder = :me, expires_at = :until
     WHERE name = :name AND (holder = :me OR expires_at < :now)

The row is first inserted if missing (insert-or-ignore, as already expired), so the UPDATE
always has a row to decide on. The times are each process's clock: machines sharing a
database must keep their clocks in step (NTP), well within the lease's length.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from aligna.model.base import utcnow
from aligna.model.channel import SchedulerLease

EXPIRED = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Lease:
    """A named lease that one holder at a time holds until it expires or is released."""

    engine: Engine
    name: str
    holder: str
    length: timedelta = timedelta(seconds=60)
    clock: Callable[[], datetime] = field(default=utcnow)
    held_until: datetime | None = None  # until when this holder last confirmed it held it

    def _ensure_row(self) -> None:
        dialect = self.engine.dialect.name
        values = {"name": self.name, "holder": "", "expires_at": EXPIRED}
        if dialect == "postgresql":
            statement = postgresql.insert(SchedulerLease).values(**values)
        elif dialect == "sqlite":
            statement = sqlite.insert(SchedulerLease).values(**values)
        else:  # pragma: no cover - aligna runs on SQLite and PostgreSQL
            raise RuntimeError(f"no lease on a {dialect} database")
        with self.engine.begin() as connection:
            connection.execute(statement.on_conflict_do_nothing(index_elements=["name"]))

    def acquire(self) -> bool:
        """Take the lease if free or expired, or renew it if held; whether it is held now."""
        self._ensure_row()
        now = self.clock()
        until = now + self.length
        with self.engine.begin() as connection:
            result = connection.execute(
                update(SchedulerLease)
                .where(
                    SchedulerLease.name == self.name,
                    or_(SchedulerLease.holder == self.holder, SchedulerLease.expires_at < now),
                )
                .values(holder=self.holder, expires_at=until)
            )
        held = result.rowcount == 1
        self.held_until = until if held else None
        return held

    def release(self) -> None:
        """Give the lease up at once (if held), so another process need not wait for expiry."""
        with self.engine.begin() as connection:
            connection.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == self.name, SchedulerLease.holder == self.holder)
                .values(expires_at=EXPIRED)
            )
        self.held_until = None

    def current(self) -> tuple[str, datetime] | None:
        """Who holds the lease and until when, if anyone holds it now."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(SchedulerLease.holder, SchedulerLease.expires_at).where(
                    SchedulerLease.name == self.name
                )
            ).first()
        if row is None or row.expires_at < self.clock():
            return None
        return row.holder, row.expires_at
