"""`aligna worker`: the jobs of aligna.jobs as Procrastinate tasks on PostgreSQL.

Every job is a task with a periodic schedule (its cron) and two locks named after the job: the
queueing lock keeps at most one run waiting in the queue (a tick while one waits is skipped),
the lock keeps runs from overlapping (a run waits until the one before it ends). Every worker
defers the periodic ticks; Procrastinate's unique constraint on (task, periodic id, tick) in
procrastinate_periodic_defers lets one defer per tick through, however many workers there
are. So no job runs twice at once, and several workers are safe.

Time zone: Procrastinate 3 reads periodic crons in UTC (croniter seeded with a float time;
procrastinate issue #1472). aligna seeds each periodic task's croniter with the current time
in the organisation's time zone instead, so that croniter computes the ticks in that zone,
daylight saving included, exactly as the embedded scheduler does.

Procrastinate's own tables live beside aligna's in the same database; `aligna worker` creates
them when they are missing (under an advisory lock, so workers starting together create them
once). A housekeeping task fails the runs of workers that died (no heartbeat) so that their
locks free up, and deletes Procrastinate's finished jobs after 30 days; aligna's own history is
job_run.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import croniter
import procrastinate
from procrastinate import JobContext as TaskContext
from procrastinate.jobs import Status
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from aligna.jobs import JOBS
from aligna.model.base import utcnow
from aligna.schedule import crons
from aligna.schedule.runs import mark_interrupted, run_job
from aligna.settings import Settings

log = logging.getLogger("aligna.schedule")

QUEUE = "aligna"
TASK_PREFIX = "aligna.job."
HOUSEKEEPING = "aligna.housekeeping"
KEEP_HOURS = 30 * 24
STALLED_SECONDS = 60.0  # a worker without heartbeat this long is dead (it beats every 10 s)
SCHEMA_LOCK = 0x616C69676E61  # "aligna": the advisory lock around creating the schema


class WorkerError(RuntimeError):
    """A worker that cannot start, with why."""


class JobFailed(Exception):
    """An aligna job failed: its error, recorded in job_run, marks the task failed too."""


def conninfo(url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL
    (postgresql+psycopg://u:p@h:5432/db?sslmode=require -> host=h port=5432 ...)."""
    from psycopg.conninfo import make_conninfo

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise WorkerError(
            "aligna worker needs PostgreSQL; with SQLite the jobs run inside aligna serve"
        )
    params: dict[str, Any] = {
        "host": parsed.host,
        "port": parsed.port,
        "dbname": parsed.database,
        "user": parsed.username,
        "password": parsed.password,
    }
    for key, value in parsed.query.items():  # sslmode, host=/run/postgresql, options...
        params[key] = value[-1] if isinstance(value, tuple) else value
    return make_conninfo("", **{k: v for k, v in params.items() if v not in (None, "")})


def ensure_schema(dsn: str) -> bool:
    """Create Procrastinate's tables when missing; whether they were created now."""
    import psycopg
    from procrastinate.schema import SchemaManager

    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            found = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if found and found[0] is not None:
                return False
            with connection.transaction():
                # No parameters: psycopg sends the script as is, several statements at once.
                connection.execute(SchemaManager.get_schema())  # type: ignore[arg-type]
            log.info("created Procrastinate's tables", extra={"event": "worker_schema"})
            return True
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))


def in_time_zone(app: procrastinate.App, timezone: str) -> None:
    """Make the app's periodic tasks read their crons in a time zone instead of UTC."""
    start = datetime.now(ZoneInfo(timezone))
    for periodic_task in app.periodic_registry.periodic_tasks.values():
        # PeriodicTask.croniter is a cached property; a croniter started from an aware
        # datetime keeps its tzinfo and computes every later tick in that zone.
        periodic_task.__dict__["croniter"] = croniter.croniter(periodic_task.cron, start)


def worker_runner() -> str:
    """Who this worker process is, as the runner of its runs."""
    return f"worker:{socket.gethostname()}:{os.getpid()}"


def job_of_task(task_name: str) -> str | None:
    """The aligna job a task runs (None for the housekeeping)."""
    return task_name.removeprefix(TASK_PREFIX) if task_name.startswith(TASK_PREFIX) else None


def build_app(settings: Settings, engine: Engine, *, dsn: str | None = None) -> procrastinate.App:
    """A Procrastinate app with a task and a periodic schedule for every job of JOBS."""
    dsn = dsn or conninfo(settings.resolved_database_url())
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=dsn))
    for name, job in JOBS.items():
        try:  # read as the embedded scheduler reads it, or not at all
            crons.trigger(job.cron, settings.timezone)
        except crons.CronError:
            log.exception("job %s not scheduled", name, extra={"event": "job_skipped"})
            continue
        task = app.task(
            _task_body(name, settings, engine),
            name=TASK_PREFIX + name,
            queue=QUEUE,
            lock=TASK_PREFIX + name,
            queueing_lock=TASK_PREFIX + name,
        )
        app.periodic(cron=job.cron, periodic_id=name)(task)

    async def housekeeping(context: TaskContext, timestamp: int) -> None:
        """Fail the runs of dead workers, and forget Procrastinate's old finished jobs."""
        manager = context.app.job_manager
        for stalled in await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_SECONDS):
            await manager.finish_job_by_id_async(stalled.id, Status.FAILED, delete_job=False)
            name = job_of_task(stalled.task_name)
            log.warning(
                "job %s: its worker stopped without finishing it",
                name or stalled.task_name,
                extra={"event": "job_stalled", "job": name, "procrastinate_job": stalled.id},
            )
            if name is not None:  # the lock allows one worker run of a job at a time: this one
                await asyncio.to_thread(
                    mark_interrupted,
                    engine,
                    runner_prefix="worker:",
                    job=name,
                    reason="its worker stopped",
                )
        await manager.delete_old_jobs(
            nb_hours=KEEP_HOURS, include_failed=True, include_cancelled=True, include_aborted=True
        )

    task = app.task(
        housekeeping,
        name=HOUSEKEEPING,
        queue=QUEUE,
        pass_context=True,
        lock=HOUSEKEEPING,
        queueing_lock=HOUSEKEEPING,
    )
    app.periodic(cron="*/5 * * * *", periodic_id="housekeeping")(task)
    in_time_zone(app, settings.timezone)
    return app


def _task_body(name: str, settings: Settings, engine: Engine) -> Any:
    def run(timestamp: int | None = None) -> None:
        # The tick's own time is `timestamp`; the job runs at the clock's time, as embedded.
        record = run_job(
            name, engine=engine, settings=settings, now=utcnow(), runner=worker_runner()
        )
        if not record.ok:
            raise JobFailed(record.error)

    run.__name__ = run.__qualname__ = f"job_{name}"
    run.__doc__ = JOBS[name].description
    return run


def run_worker(settings: Settings, *, concurrency: int = 2) -> None:
    """Run a worker until SIGTERM or Ctrl+C: it finishes the runs in progress, then stops."""
    from aligna.db import open_database

    dsn = conninfo(settings.resolved_database_url())
    if settings.scheduler == "embedded":
        log.warning(
            "setting scheduler is 'embedded': set ALIGNA_SCHEDULER=off for aligna serve; "
            "meanwhile the embedded scheduler stands down while workers run",
            extra={"event": "worker_settings"},
        )
    engine = open_database(settings.resolved_database_url())
    try:
        ensure_schema(dsn)
        app = build_app(settings, engine, dsn=dsn)
        log.info(
            "aligna worker started: %d jobs, concurrency %d",
            len(JOBS),
            concurrency,
            extra={
                "event": "worker_started",
                "runner": worker_runner(),
                "timezone": settings.timezone,
            },
        )
        app.run_worker(
            queues=[QUEUE],
            concurrency=concurrency,
            name=worker_runner(),
            delete_jobs="successful",  # job_run keeps the history
            stalled_worker_timeout=STALLED_SECONDS,
        )
    finally:
        engine.dispose()
    log.info("aligna worker stopped", extra={"event": "worker_stopped"})
