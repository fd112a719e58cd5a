"""Which KPIs a refresh runs: the live query KPIs, named, of one connection, or due.

A KPI is due by its refresh schedule (its own cron, else its connection's) when it has one,
else by an interval set by its frequency; see `is_due`.

Also the shape each KPI's rows must have (its frequency and breakdown units), which `record`
uses for manual values too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aligna.measure.contract import KpiShape
from aligna.measure.errors import RefreshError
from aligna.measure.schedule import CronError, fired_since
from aligna.measure.warehouse import ConnectionSpec
from aligna.model import Connection, Kpi, KpiRefresh, Unit
from aligna.model.base import utcnow
from aligna.periods import Frequency

# --due: a KPI without a refresh schedule is due when its last successful refresh is older than
# this for its frequency (or it never had one) ...
DUE_AFTER = {
    Frequency.day: timedelta(hours=1),
    Frequency.week: timedelta(hours=4),
    Frequency.month: timedelta(hours=12),
    Frequency.quarter: timedelta(hours=24),
    Frequency.year: timedelta(hours=24),
}
# ... unless its last attempt failed less than this ago: a broken query is retried at this pace,
# not at every tick of the scheduler.
RETRY_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class KpiJob:
    """One KPI to refresh: its query, the connection it runs on and the shape of its rows."""

    kpi_id: int
    kpi: str
    connection: str
    query: str
    shape: KpiShape


def select_jobs(
    session: Session,
    *,
    kpis: Sequence[str] | None = None,
    due: bool = False,
    connection: str | None = None,
    now: datetime | None = None,
    timezone: str = "UTC",
) -> tuple[list[KpiJob], dict[str, ConnectionSpec]]:
    """The live query KPIs a refresh would run, with the connections they need.

    `timezone` is the organisation's, in which refresh schedules (cron) are read.
    """
    rows = session.execute(
        select(Kpi, Connection.slug)
        .outerjoin(Connection, Kpi.connection_id == Connection.id)
        .where(Kpi.archived_at.is_(None))
        .order_by(Kpi.slug)
    ).all()
    by_slug = {kpi.slug: (kpi, conn) for kpi, conn in rows}
    connections = {
        c.slug: c
        for c in session.scalars(select(Connection).where(Connection.archived_at.is_(None)))
    }
    if connection is not None and connection not in connections:
        known = ", ".join(sorted(connections)) or "none"
        raise RefreshError(f"unknown connection '{connection}', expected one of: {known}")
    if kpis:
        unknown = [k for k in dict.fromkeys(kpis) if k not in by_slug]
        if unknown:
            raise RefreshError(
                f"unknown KPI {', '.join(repr(k) for k in unknown)}: no live KPI has that id "
                "(check the id, or apply the project first)"
            )
        for slug in kpis:
            kpi, conn = by_slug[slug]
            if kpi.source_manual:
                raise RefreshError(
                    f"KPI '{slug}' is entered by hand (source: manual), so it has no query to "
                    "refresh: record its values with aligna record"
                )
            if connection is not None and conn != connection:
                raise RefreshError(f"KPI '{slug}' reads connection '{conn}', not '{connection}'")
        chosen = [by_slug[k] for k in dict.fromkeys(kpis)]
    else:
        chosen = [(k, c) for k, c in by_slug.values() if not k.source_manual]
        if connection is not None:
            chosen = [(k, c) for k, c in chosen if c == connection]
    chosen = [(k, c) for k, c in chosen if c in connections and k.query]
    if due:
        chosen = _due_only(session, chosen, now or utcnow(), connections, timezone)
    units = UnitTree(session) if any(k.breakdown_unit_kind for k, _ in chosen) else None
    jobs = [
        KpiJob(kpi.id, kpi.slug, conn, kpi.query or "", kpi_shape(kpi, units))
        for kpi, conn in chosen
    ]
    specs = {
        name: ConnectionSpec(c.slug, c.url, c.timeout_seconds, dict(c.options or {}))
        for name, c in connections.items()
        if any(job.connection == name for job in jobs)
    }
    return jobs, specs


def is_due(
    frequency: Frequency,
    last_success: datetime | None,
    last_attempt: datetime | None,
    last_attempt_ok: bool,
    now: datetime,
    *,
    schedule: str | None = None,
    timezone: str = "UTC",
) -> bool:
    """The --due rule: its schedule fired (else its frequency's interval passed) since its last
    success, and it is not a failure retried too soon."""
    if last_attempt is not None and not last_attempt_ok and now - last_attempt < RETRY_AFTER:
        return False
    if last_success is None:
        return True
    if schedule:
        try:
            return fired_since(schedule, last_success, now, timezone)
        except CronError:
            # Validation keeps bad schedules out; should one get in anyway, its KPI is still
            # refreshed by its frequency rather than stopping the whole refresh.
            pass
    return now - last_success >= DUE_AFTER[frequency]


def _due_only(
    session: Session,
    chosen: list[tuple[Kpi, str]],
    now: datetime,
    connections: dict[str, Connection],
    timezone: str,
) -> list[tuple[Kpi, str]]:
    r = KpiRefresh
    success = dict(
        session.execute(
            select(r.kpi_id, func.max(r.started_at)).where(r.ok.is_(True)).group_by(r.kpi_id)
        ).all()
    )
    attempt = dict(
        session.execute(select(r.kpi_id, func.max(r.started_at)).group_by(r.kpi_id)).all()
    )
    due = []
    for kpi, conn in chosen:
        last_success, last_attempt = success.get(kpi.id), attempt.get(kpi.id)
        last_ok = last_attempt is not None and last_attempt == last_success
        schedule = kpi.refresh_schedule or connections[conn].refresh_schedule
        if is_due(
            kpi.frequency,
            last_success,
            last_attempt,
            last_ok,
            now,
            schedule=schedule,
            timezone=timezone,
        ):
            due.append((kpi, conn))
    return due


class UnitTree:
    """The live units as a tree, to list the units a broken-down KPI has values for."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(
            select(Unit.id, Unit.slug, Unit.kind, Unit.parent_id).where(Unit.archived_at.is_(None))
        ).all()
        self.slug = {id_: slug for id_, slug, _, _ in rows}
        self.kinds = {slug: kind for _, slug, kind, _ in rows}
        self.children: dict[int | None, list[tuple[int, str, str]]] = {}
        for id_, slug, kind, parent in rows:
            self.children.setdefault(parent, []).append((id_, slug, kind))

    def of_kind_inside(self, home: int, kind: str) -> dict[str, int]:
        """The units of a kind in a unit's subtree (the unit itself included), slug -> id."""
        found: dict[str, int] = {}
        if home in self.slug and self.kinds[self.slug[home]] == kind:
            found[self.slug[home]] = home
        stack = [home]
        while stack:
            for id_, slug, unit_kind in self.children.get(stack.pop(), ()):
                if unit_kind == kind:
                    found[slug] = id_
                stack.append(id_)
        return found


def kpi_shape(kpi: Kpi, units: UnitTree | None) -> KpiShape:
    """What a KPI's values must look like: its frequency and the units of its breakdown."""
    if not kpi.breakdown_unit_kind or units is None:
        return KpiShape(kpi.slug, Frequency(kpi.frequency))
    return KpiShape(
        kpi.slug,
        Frequency(kpi.frequency),
        breakdown_kind=kpi.breakdown_unit_kind,
        breakdown_total=kpi.breakdown_total.value if kpi.breakdown_total else "sum",
        home_unit=units.slug.get(kpi.unit_id),
        units=units.of_kind_inside(kpi.unit_id, kpi.breakdown_unit_kind),
        known_units=units.kinds,
    )
