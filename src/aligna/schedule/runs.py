"""Running a job and recording the run (job_run), and the overview of every job's runs.

Every runner goes through `run_job`: the embedded scheduler, `aligna worker` and `aligna jobs
run`. A run is written twice, in two short transactions: when it starts (so a long run shows as
running, and one whose process died shows as unfinished) and when it ends, with its summary or
its error. The job's own work happens between them, in its own transactions.

History is bounded by age: a job's runs older than 30 days are deleted when it next finishes,
except its latest run and its latest failure. Age rather than a count per job, because an
operator thinks in time ("what happened last week") and the jobs run at very different rates
(a count of 1,000 is 17 hours of the minutely delivery but years of a daily digest); the latest
run and failure stay so that a job that runs monthly, or failed long ago, still shows them.
Even the minutely delivery keeps only ~43,000 rows.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, func, insert, select, update
from sqlalchemy.engine import make_url

from aligna.channels.masking import error_text
from aligna.jobs import JOBS, Job, JobContext
from aligna.model.base import utcnow
from aligna.model.channel import JobRun
from aligna.schedule.crons import CronError, describe, next_run
from aligna.settings import Settings

log = logging.getLogger("aligna.jobs")

KEEP_DAYS = 30
SIMULATED_AFTER = timedelta(minutes=1)  # a run's time this far from the clock is simulated


class UnknownJob(LookupError):
    """A job name that aligna.jobs does not know, with the names it knows."""

    def __init__(self, name: str) -> None:
        known = ", ".join(sorted(JOBS)) or "none"
        super().__init__(f"unknown job {name!r}; the jobs are: {known}")
        self.name = name


@dataclass(frozen=True)
class RunRecord:
    """One recorded run of a job."""

    id: int
    job: str
    runner: str
    started_at: datetime
    finished_at: datetime | None
    ok: bool | None
    error: str
    summary: dict[str, Any]

    @property
    def seconds(self) -> float | None:
        """How long the run took, if it finished."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def as_dict(self) -> dict[str, Any]:
        """The run as JSON-ready values (times in ISO 8601, UTC)."""
        return {
            "id": self.id,
            "runner": self.runner,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "seconds": round(self.seconds, 3) if self.seconds is not None else None,
            "ok": self.ok,
            "error": self.error or None,
            "summary": self.summary,
        }


def _record(row: Any) -> RunRecord:
    try:
        summary = json.loads(row.summary) if row.summary else {}
    except ValueError:
        summary = {"text": row.summary}
    return RunRecord(
        id=row.id,
        job=row.job,
        runner=row.runner,
        started_at=row.started_at,
        finished_at=row.finished_at,
        ok=row.ok,
        error=row.error or "",
        summary=summary if isinstance(summary, dict) else {"value": summary},
    )


def known_secrets(settings: Settings) -> list[str]:
    """The secret values in the settings, masked out of any stored error."""
    secrets: list[str | None] = [settings.secret_key]
    for value in (settings.smtp_password, settings.oidc_client_secret):
        secrets.append(value.get_secret_value() if value is not None else None)
    with contextlib.suppress(Exception):  # an unreadable URL has no password to find
        secrets.append(make_url(settings.resolved_database_url()).password)  # type: ignore[arg-type]
    return [s for s in secrets if s]


def run_job(
    name: str,
    *,
    engine: Engine,
    settings: Settings,
    now: datetime | None = None,
    runner: str,
) -> RunRecord:
    """Run one job of JOBS at `now` (default: the clock) and record the run; never raises
    for the job's own failure, which is recorded and returned (ok False)."""
    job = JOBS.get(name)
    if job is None:
        raise UnknownJob(name)
    started = utcnow()
    at = now or started
    with engine.begin() as connection:
        run_id = connection.execute(
            insert(JobRun).values(job=name, runner=runner, started_at=started, error="", summary="")
        ).inserted_primary_key[0]
    clock = time.perf_counter()
    ok, error, summary = True, "", {}
    try:
        result = job.run(JobContext(engine=engine, settings=settings, now=at, runner=runner))
        summary = result if isinstance(result, dict) else {"result": result}
    except Exception as exc:  # the run is recorded as failed; the traceback goes to the log only
        ok, error = False, error_text(exc, known_secrets(settings))
        log.exception("job %s failed", name, extra={"event": "job_failed", "job": name})
    except BaseException as exc:  # stopped from outside (Ctrl+C, exit): record it, then stop
        _finish(engine, run_id, name, False, f"interrupted: {type(exc).__name__}", {})
        raise
    if abs(at - started) > SIMULATED_AFTER:
        summary = {"simulated_at": at.isoformat(), **summary}
    finished = _finish(engine, run_id, name, ok, error, summary)
    log.info(
        "job %s %s in %.2f s",
        name,
        "finished" if ok else "failed",
        time.perf_counter() - clock,
        extra={"event": "job_run", "job": name, "ok": ok, "runner": runner},
    )
    return finished


def _finish(
    engine: Engine, run_id: int, name: str, ok: bool, error: str, summary: dict[str, Any]
) -> RunRecord:
    """Mark a run finished, and delete the job's runs past the history kept."""
    finished = utcnow()
    with engine.begin() as connection:
        connection.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(
                finished_at=finished,
                ok=ok,
                error=error,
                summary=json.dumps(summary, default=str),
            )
        )
        _prune(connection, name, run_id, finished)
        row = connection.execute(select(JobRun).where(JobRun.id == run_id)).one()
    return _record(row)


def _prune(connection: Any, name: str, latest_id: int, now: datetime) -> None:
    latest_failure = (
        select(func.max(JobRun.id))
        .where(JobRun.job == name, JobRun.ok.is_(False))
        .scalar_subquery()
    )
    connection.execute(
        delete(JobRun).where(
            JobRun.job == name,
            JobRun.started_at < now - timedelta(days=KEEP_DAYS),
            JobRun.id != latest_id,
            JobRun.id != func.coalesce(latest_failure, -1),
        )
    )


def mark_interrupted(
    engine: Engine, *, runner_prefix: str, reason: str, job: str | None = None
) -> int:
    """Mark the unfinished runs of some runners (and a job) as failed: their process died.

    A run that was still going after all finishes later and overwrites this with its outcome.
    """
    conditions = [JobRun.finished_at.is_(None), JobRun.runner.startswith(runner_prefix)]
    if job is not None:
        conditions.append(JobRun.job == job)
    with engine.begin() as connection:
        result = connection.execute(
            update(JobRun)
            .where(and_(*conditions))
            .values(finished_at=utcnow(), ok=False, error=f"interrupted: {reason}")
        )
    return int(result.rowcount or 0)


def last_started(engine: Engine, name: str) -> datetime | None:
    """When the latest run of a job started, if it ever ran."""
    with engine.connect() as connection:
        return connection.execute(
            select(func.max(JobRun.started_at)).where(JobRun.job == name)
        ).scalar()


@dataclass(frozen=True)
class JobOverview:
    """A job with its schedule and how its runs went."""

    name: str
    description: str
    cron: str
    schedule: str
    next_run: datetime | None
    last_run: RunRecord | None  # the latest finished run
    running: RunRecord | None  # a run started after it and not finished
    last_error: RunRecord | None  # the latest failed run
    problem: str = ""  # why the next run could not be computed

    def as_dict(self) -> dict[str, Any]:
        """The overview as JSON-ready values."""
        return {
            "job": self.name,
            "description": self.description,
            "cron": self.cron,
            "schedule": self.schedule,
            "next_run": self.next_run.isoformat() if self.next_run else None,
            "last_run": self.last_run.as_dict() if self.last_run else None,
            "running": self.running.as_dict() if self.running else None,
            "last_error": (
                {"at": self.last_error.started_at.isoformat(), "error": self.last_error.error}
                if self.last_error
                else None
            ),
            "problem": self.problem or None,
        }


def _latest(connection: Any, *conditions: Any) -> RunRecord | None:
    row = connection.execute(
        select(JobRun)
        .where(*conditions)
        .order_by(JobRun.started_at.desc(), JobRun.id.desc())
        .limit(1)
    ).first()
    return _record(row) if row else None


def overview_of(job: Job, connection: Any, settings: Settings, now: datetime) -> JobOverview:
    """One job's overview, read on an open connection."""
    last = _latest(connection, JobRun.job == job.name, JobRun.finished_at.is_not(None))
    running = _latest(connection, JobRun.job == job.name, JobRun.finished_at.is_(None))
    if running is not None and last is not None and running.started_at < last.started_at:
        running = None  # an older run left unfinished is not running now
    failed = _latest(connection, JobRun.job == job.name, JobRun.ok.is_(False))
    problem, upcoming = "", None
    try:
        upcoming = next_run(job.cron, settings.timezone, now)
    except CronError as exc:
        problem = str(exc)
    return JobOverview(
        name=job.name,
        description=job.description,
        cron=job.cron,
        schedule=describe(job.cron),
        next_run=upcoming,
        last_run=last,
        running=running,
        last_error=failed,
        problem=problem,
    )


def job_overview(
    engine: Engine, settings: Settings, now: datetime | None = None
) -> list[JobOverview]:
    """Every job of JOBS: cron, last run, last error, next run (org time zone), running."""
    moment = now or utcnow()
    with engine.connect() as connection:
        return [overview_of(job, connection, settings, moment) for job in JOBS.values()]
