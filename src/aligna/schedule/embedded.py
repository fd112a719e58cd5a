"""The embedded scheduler: APScheduler inside `aligna serve`, in exactly one process.

`aligna serve` runs it in the process it starts in (the supervisor of the web workers, or the
one web process): one per `aligna serve`. Several `aligna serve` on one database elect one of
them with the lease named "embedded" (aligna.schedule.lease): a thread renews the lease every
15 seconds for 60; the scheduler runs only while the lease is held, stops when it is lost, and
the lease is released on shutdown so that another process can take over at once.

Each job of aligna.jobs runs on its cron in the organisation's time zone, one instance at a
time, missed runs coalesced into one; on SQLite the jobs run one after another. A job whose
latest tick passed less than ten minutes before the scheduler starts (a restart, a takeover)
and that has not run since runs at once, as Procrastinate's periodic deferrer does.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from datetime import timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, text

from aligna.jobs import JOBS
from aligna.model.base import utcnow
from aligna.schedule import crons
from aligna.schedule.lease import Lease
from aligna.schedule.runs import last_started, mark_interrupted, run_job
from aligna.settings import Settings

log = logging.getLogger("aligna.schedule")

LEASE_NAME = "embedded"
RENEW_SECONDS = 15.0
LEASE_SECONDS = 60.0
CATCH_UP = timedelta(minutes=10)  # a tick missed by less than this runs at start
MISFIRE_GRACE_SECONDS = int(CATCH_UP.total_seconds())


def embedded_holder() -> str:
    """Who this process is, as lease holder and as the runner of its runs."""
    return f"embedded:{socket.gethostname()}:{os.getpid()}"


def workers_active(engine: Engine, within_seconds: float = LEASE_SECONDS) -> bool:
    """Whether `aligna worker` processes (Procrastinate) run on this PostgreSQL database."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as connection:
        if connection.execute(text("SELECT to_regclass('procrastinate_workers')")).scalar():
            query = text(
                "SELECT count(*) FROM procrastinate_workers "
                "WHERE last_heartbeat > now() - make_interval(secs => :seconds)"
            )
            return bool(connection.execute(query, {"seconds": within_seconds}).scalar())
    return False


class EmbeddedScheduler:
    """Runs every job of JOBS on its cron in this process while it holds the lease."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        holder: str | None = None,
        renew_seconds: float = RENEW_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.holder = holder or embedded_holder()
        self.renew_seconds = renew_seconds
        self.lease = Lease(engine, LEASE_NAME, self.holder, timedelta(seconds=lease_seconds))
        self.scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # elections and stop never overlap
        self._stood_down = False
        self._generation = 0  # which scheduler's runs may start: the current one's only
        # SQLite takes one writer at a time anyway, and its SELECT ... FOR UPDATE claims lock
        # nothing, so there the jobs run one after another; PostgreSQL runs them side by side.
        sqlite = engine.dialect.name == "sqlite"
        self._one_at_a_time: threading.Lock | None = threading.Lock() if sqlite else None

    @property
    def running(self) -> bool:
        """Whether this process runs the jobs right now."""
        return self.scheduler is not None

    def start(self) -> None:
        """Start contending for the lease in a background thread (returns at once)."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._elect_forever, name="aligna-elector")
        self._thread.daemon = True  # never keeps the process alive; stop() ends it cleanly
        self._thread.start()

    def stop(self, wait: bool = True) -> None:
        """Stop the scheduler (waiting for running jobs when asked) and release the lease."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.renew_seconds + 30)
        with self._lock:
            held = self.scheduler is not None
            self._stop_scheduler(wait=wait)
            try:
                if held or self.lease.held_until is not None:
                    self.lease.release()
            except Exception:
                log.exception("could not release the scheduler lease", extra={"event": "lease"})
        if held:
            log.info("embedded scheduler stopped", extra={"event": "scheduler_stopped"})

    def elect_once(self) -> bool:
        """One round: take or renew the lease, start or stop the scheduler; whether it runs."""
        with self._lock:
            if self._stop.is_set():
                return self.running
            try:
                if workers_active(self.engine):
                    self._stand_down()
                    return False
                self._stood_down = False
                held = self.lease.acquire()
            except Exception:
                # Keep running only while the last confirmed lease lasts, less a round's margin.
                until = self.lease.held_until
                margin = timedelta(seconds=self.renew_seconds)
                held = until is not None and utcnow() < until - margin
                log.exception("could not renew the scheduler lease", extra={"event": "lease_error"})
            if held and self.scheduler is None:
                self._start_scheduler()
            elif not held and self.scheduler is not None:
                log.warning(
                    "lost the scheduler lease: stopping the embedded scheduler",
                    extra={"event": "lease_lost", "holder": self.holder},
                )
                self._stop_scheduler(wait=False)
            return self.running

    def run_now(self, name: str) -> None:
        """Run a job at once, as its cron would (for tests)."""
        if self.scheduler is None:
            raise RuntimeError("the embedded scheduler does not run in this process")
        self.scheduler.modify_job(name, next_run_time=utcnow())

    def _elect_forever(self) -> None:
        while not self._stop.is_set():
            try:
                self.elect_once()
            except Exception:  # never let the elector die: the next round tries again
                log.exception("scheduler election failed", extra={"event": "lease_error"})
            self._stop.wait(self.renew_seconds)

    def _stand_down(self) -> None:
        if not self._stood_down:
            log.warning(
                "aligna worker processes run the jobs on this database: the embedded "
                "scheduler stands down (set scheduler = 'off' for aligna serve)",
                extra={"event": "scheduler_stood_down"},
            )
            self._stood_down = True
        if self.scheduler is not None:
            self._stop_scheduler(wait=False)
        if self.lease.held_until is not None:
            self.lease.release()

    def _start_scheduler(self) -> None:
        interrupted = mark_interrupted(
            self.engine,
            runner_prefix="embedded:",
            reason="the process running the embedded scheduler stopped",
        )
        self._generation += 1
        scheduler = BackgroundScheduler(
            timezone=self.settings.timezone,
            executors={"default": ThreadPoolExecutor(max_workers=max(len(JOBS), 1))},
            job_defaults={
                "max_instances": 1,
                "coalesce": True,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
        )
        now = utcnow()
        for job in JOBS.values():
            try:
                trigger = crons.trigger(job.cron, self.settings.timezone)
            except crons.CronError:
                log.exception("job %s not scheduled", job.name, extra={"event": "job_skipped"})
                continue
            options = {}
            missed = crons.previous_run(job.cron, self.settings.timezone, now, CATCH_UP)
            last = last_started(self.engine, job.name)
            if missed is not None and (last is None or last < missed):
                options["next_run_time"] = missed
            scheduler.add_job(
                self._run,
                trigger,
                args=[job.name, self._generation],
                id=job.name,
                name=job.name,
                **options,
            )
        scheduler.start()
        self.scheduler = scheduler
        log.info(
            "embedded scheduler started: %d jobs",
            len(scheduler.get_jobs()),
            extra={
                "event": "scheduler_started",
                "holder": self.holder,
                "timezone": self.settings.timezone,
                "interrupted_runs": interrupted,
            },
        )

    def _stop_scheduler(self, wait: bool) -> None:
        self._generation += 1  # runs waiting for their turn are dropped, not started
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=wait)  # waits for the run in progress, if asked

    def _run(self, name: str, generation: int) -> None:
        with self._one_at_a_time or contextlib.nullcontext():
            if generation != self._generation:  # stopped (or lost the lease) meanwhile
                return
            try:
                run_job(name, engine=self.engine, settings=self.settings, runner=self.holder)
            except Exception:  # the run could not be recorded (database gone): logged
                log.exception("job %s could not run", name, extra={"event": "job_error"})
