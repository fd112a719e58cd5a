"""Refresh: run the KPI queries concurrently and keep what they return, one KPI at a time.

Queries run on a thread pool (`refresh_concurrency`); results are written by the calling thread,
one transaction per KPI, so a SQLite application database sees one writer and a failure in one
KPI never touches another. A query that fails, breaks the contract, or outlives its timeout gives
its KPI a refresh row with ok = false and the error; the other KPIs go on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert
from sqlalchemy.exc import SQLAlchemyError

from aligna.db import session_scope
from aligna.measure.contract import Reading, read_rows
from aligna.measure.errors import MeasureError, WarehouseError
from aligna.measure.safety import check_read_only
from aligna.measure.selection import KpiJob, select_jobs
from aligna.measure.store import store_readings
from aligna.measure.warehouse import (
    SERVER_GRACE_SECONDS,
    ConnectionSpec,
    Warehouse,
    open_warehouse,
)
from aligna.model import KpiRefresh
from aligna.model.base import utcnow
from aligna.settings import Settings

# A query still running this long after its watchdog should have stopped it is given up on,
# so that a driver that ignores cancellation cannot hold the whole refresh.
ABANDON_AFTER_SECONDS = 10.0


@dataclass(frozen=True)
class KpiResult:
    """How one KPI's refresh went: rows returned, values new and revised, or the error."""

    kpi: str
    connection: str
    ok: bool
    error: str = ""
    rows: int = 0
    new_values: int = 0
    revised_values: int = 0
    seconds: float = 0.0  # running the query and checking its rows
    write_seconds: float = 0.0  # storing its values and its refresh row


@dataclass
class RefreshSummary:
    """Every KPI's result and the totals of one refresh."""

    results: list[KpiResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        """How many KPIs refreshed."""
        return sum(r.ok for r in self.results)

    @property
    def failed(self) -> int:
        """How many KPIs failed."""
        return sum(not r.ok for r in self.results)

    @property
    def rows(self) -> int:
        """Rows the queries returned."""
        return sum(r.rows for r in self.results)

    @property
    def new_values(self) -> int:
        """Values stored for the first time."""
        return sum(r.new_values for r in self.results)

    @property
    def revised_values(self) -> int:
        """Values the warehouse restated, kept as new revisions."""
        return sum(r.revised_values for r in self.results)

    @property
    def write_seconds(self) -> float:
        """Time spent storing values (in the calling thread, one KPI after another)."""
        return sum(r.write_seconds for r in self.results)

    def by_connection(self) -> dict[str, RefreshSummary]:
        """The results grouped by connection."""
        groups: dict[str, RefreshSummary] = {}
        for result in self.results:
            group = groups.setdefault(result.connection, RefreshSummary())
            group.results.append(result)
            group.seconds += result.seconds
        return dict(sorted(groups.items()))


Progress = Callable[[int, int, KpiResult | None], None]


def organisation_today(settings: Settings, now: datetime | None = None) -> date:
    """Today's date in the organisation's time zone."""
    return (now or utcnow()).astimezone(ZoneInfo(settings.timezone)).date()


def refresh(
    engine: Engine,
    settings: Settings,
    *,
    kpis: Sequence[str] | None = None,
    due: bool = False,
    connection: str | None = None,
    progress: Progress | None = None,
    today: date | None = None,
    now: datetime | None = None,
    actor: str | None = None,
) -> RefreshSummary:
    """Refresh the query KPIs (all, the named ones, the due ones, or one connection's).

    `progress(done, total, result)` is called once before the first query (result None) and
    after each KPI. Raises RefreshError before running anything when a named KPI or connection
    does not exist, or a named KPI is manual.
    """
    started = time.perf_counter()
    now = now or utcnow()
    today = today or organisation_today(settings, now)
    with session_scope(engine) as session:
        jobs, specs = select_jobs(
            session,
            kpis=kpis,
            due=due,
            connection=connection,
            now=now,
            timezone=settings.timezone,
        )
    report = progress or (lambda done, total, result: None)
    report(0, len(jobs), None)
    summary = RefreshSummary()
    if jobs:
        runner = _Runner(engine, settings, specs, today, actor or settings.audit_actor)
        summary.results = runner.run(jobs, report)
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass
class _Outcome:
    """What a worker brings back: the readings, or the error, of one KPI's query."""

    job: KpiJob
    started_at: datetime
    readings: list[Reading] | None = None
    error: str = ""
    rows: int = 0
    taken_at: datetime | None = None
    seconds: float = 0.0


class _Warehouses:
    """The connections of one refresh, opened once on first use by whichever worker needs them."""

    def __init__(self, specs: dict[str, ConnectionSpec], settings: Settings) -> None:
        self.specs = specs
        self.settings = settings
        self._open: dict[str, Warehouse | MeasureError] = {}
        self._locks = {name: threading.Lock() for name in specs}

    def get(self, name: str) -> Warehouse:
        """The open warehouse, or the error that opening it gave (raised again for each KPI)."""
        with self._locks[name]:
            if name not in self._open:
                try:
                    self._open[name] = open_warehouse(
                        self.specs[name],
                        project=self.settings.project,
                        default_timeout=self.settings.query_timeout_seconds,
                        pool_size=self.settings.refresh_concurrency,
                    )
                except MeasureError as exc:
                    self._open[name] = exc
                except Exception as exc:  # a driver's own error while connecting
                    self._open[name] = WarehouseError(
                        f"connection '{name}': cannot open: {type(exc).__name__}: {exc}"
                    )
            opened = self._open[name]
        if isinstance(opened, MeasureError):
            raise opened
        return opened

    def timeout(self, name: str) -> float:
        """The statement timeout of a connection."""
        spec = self.specs[name]
        return spec.timeout_seconds or self.settings.query_timeout_seconds

    def close(self) -> None:
        """Close every connection that was opened."""
        for opened in self._open.values():
            if not isinstance(opened, MeasureError):
                opened.close()


class _Runner:
    """Runs the queries on a thread pool and writes each KPI's results as they arrive."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        specs: dict[str, ConnectionSpec],
        today: date,
        actor: str,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.specs = specs
        self.today = today
        self.actor = actor
        self.warehouses = _Warehouses(specs, settings)
        self.running: dict[int, float] = {}  # kpi id -> when its query started (monotonic)

    def run(self, jobs: list[KpiJob], report: Progress) -> list[KpiResult]:
        """Every job's result, in the order they finished."""
        pool = ThreadPoolExecutor(
            max_workers=max(1, self.settings.refresh_concurrency),
            thread_name_prefix="aligna-refresh",
        )
        results: list[KpiResult] = []
        abandoned = False
        try:
            pending: dict[Future[_Outcome], KpiJob] = {
                pool.submit(self._measure, job): job for job in jobs
            }
            while pending:
                done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                for future in done:
                    job = pending.pop(future)
                    results.append(self._save(future.result()))
                    report(len(results), len(jobs), results[-1])
                for future, job in list(pending.items()):
                    if self._stuck(job):
                        pending.pop(future)
                        abandoned = True
                        results.append(self._save(self._abandoned(job)))
                        report(len(results), len(jobs), results[-1])
        finally:
            pool.shutdown(wait=not abandoned, cancel_futures=True)
            if not abandoned:  # a query given up on may still be using its connection
                self.warehouses.close()
        return results

    def _stuck(self, job: KpiJob) -> bool:
        began = self.running.get(job.kpi_id)
        if began is None:
            return False
        limit = self.warehouses.timeout(job.connection) + SERVER_GRACE_SECONDS
        return time.monotonic() - began > limit + ABANDON_AFTER_SECONDS

    def _abandoned(self, job: KpiJob) -> _Outcome:
        began = self.running.get(job.kpi_id, time.monotonic())
        timeout = self.warehouses.timeout(job.connection)
        return _Outcome(
            job,
            started_at=utcnow() - timedelta(seconds=time.monotonic() - began),
            error=(
                f"the query did not stop at its {timeout:g} s timeout (the driver ignored the "
                "cancel); aligna gave up waiting for it"
            ),
            seconds=time.monotonic() - began,
        )

    def _measure(self, job: KpiJob) -> _Outcome:
        """Worker: check, run and read one KPI's query; every failure becomes its error."""
        outcome = _Outcome(job, started_at=utcnow())
        began = time.monotonic()
        self.running[job.kpi_id] = began
        try:
            spec = self.specs[job.connection]
            check_read_only(job.query, spec.dialect)
            warehouse = self.warehouses.get(job.connection)
            limit = self.settings.query_row_limit
            result = warehouse.run(job.query, row_limit=limit)
            outcome.rows = len(result.rows)
            outcome.taken_at = utcnow()
            outcome.readings = read_rows(
                result.columns, result.rows, job.shape, today=self.today, row_limit=limit
            )
        except MeasureError as exc:
            outcome.error = str(exc)
        except Exception as exc:  # never let one KPI's surprise stop the others
            outcome.error = f"unexpected error: {type(exc).__name__}: {exc}"
        finally:
            outcome.seconds = time.monotonic() - began
            self.running.pop(job.kpi_id, None)
        return outcome

    def _save(self, outcome: _Outcome) -> KpiResult:
        """Write one KPI's values and its refresh row in one transaction."""
        job = outcome.job
        new = revised = 0
        error = outcome.error
        began = time.perf_counter()
        try:
            with self.engine.begin() as connection:
                if outcome.readings is not None:
                    changes = store_readings(
                        connection,
                        job.kpi_id,
                        outcome.readings,
                        taken_at=outcome.taken_at or utcnow(),
                        source="query",
                        actor=self.actor,
                    )
                    revised = sum(c.revised for c in changes)
                    new = len(changes) - revised
                connection.execute(
                    insert(KpiRefresh),
                    self._refresh_row(outcome, error, new, revised),
                )
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            error = f"the values could not be stored in the aligna database: {reason}"
            new = revised = 0
            try:
                with self.engine.begin() as connection:
                    connection.execute(insert(KpiRefresh), self._refresh_row(outcome, error, 0, 0))
            except SQLAlchemyError:
                pass  # the database is unreachable: the summary still carries the error
        return KpiResult(
            kpi=job.kpi,
            connection=job.connection,
            ok=not error,
            error=error,
            rows=outcome.rows,
            new_values=new,
            revised_values=revised,
            seconds=outcome.seconds,
            write_seconds=time.perf_counter() - began,
        )

    @staticmethod
    def _refresh_row(outcome: _Outcome, error: str, new: int, revised: int) -> dict[str, object]:
        return {
            "kpi_id": outcome.job.kpi_id,
            "started_at": outcome.started_at,
            "finished_at": utcnow(),
            "ok": not error,
            "error": error,
            "rows": outcome.rows,
            "new_values": new,
            "revised_values": revised,
        }
