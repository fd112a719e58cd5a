"""`aligna worker` on Procrastinate: one run at a time per job, one defer per periodic tick."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.periodic import PeriodicDeferrer
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy import Engine, func, select, text

from aligna.db import open_database
from aligna.jobs import JOBS, Job, JobContext
from aligna.model.channel import JobRun
from aligna.schedule import worker
from aligna.schedule.embedded import EmbeddedScheduler, workers_active
from aligna.settings import Settings
from aligna.throwaway_postgres import create_database

NEVER = "0 0 1 1 *"


def test_conninfo_from_sqlalchemy_urls() -> None:
    url = "postgresql+psycopg://al:s%40cret@db.example:6543/aligna"
    assert conninfo_to_dict(worker.conninfo(url)) == {
        "host": "db.example",
        "port": "6543",
        "dbname": "aligna",
        "user": "al",
        "password": "s@cret",
    }
    socket_url = "postgresql:///aligna?host=/run/postgresql&sslmode=disable"
    assert conninfo_to_dict(worker.conninfo(socket_url)) == {
        "dbname": "aligna",
        "host": "/run/postgresql",
        "sslmode": "disable",
    }
    with pytest.raises(worker.WorkerError, match="needs PostgreSQL; with SQLite the jobs run"):
        worker.conninfo("sqlite:///aligna.db")


def test_periodic_ticks_are_computed_in_the_organisation_time_zone(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(JOBS):
        monkeypatch.delitem(JOBS, name)
    monkeypatch.setitem(JOBS, "morning", Job("morning", "m", "0 7 * * *", lambda c: {}))
    settings = Settings(database_url="postgresql+psycopg://u@h/db", timezone="Europe/Paris")
    app = worker.build_app(settings, open_database(f"sqlite:///{tmp_path / 'a.db'}"))
    periodic = app.periodic_registry.periodic_tasks[("aligna.job.morning", "morning")]
    deferrer = PeriodicDeferrer(registry=app.periodic_registry)
    for tick in (datetime(2026, 11, 26, 6, tzinfo=UTC), datetime(2026, 7, 2, 5, tzinfo=UTC)):
        # 07:00 in Paris: 06:00 UTC in winter, 05:00 UTC in summer, 30 s after which a worker
        # defers it.
        due = list(deferrer.get_timestamps(periodic, since=None, until=tick.timestamp() + 30))
        assert due == [int(tick.timestamp())]


@pytest.fixture
def pg_url(postgres_server: str) -> str:
    return create_database(postgres_server, f"worker_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = open_database(pg_url)
    yield engine
    engine.dispose()


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, float]]:
    """JOBS holding only `probe`, a job of 0.25 s recording when each run starts and ends."""
    spans: list[tuple[float, float]] = []

    def run(context: JobContext) -> dict[str, Any]:
        start = time.monotonic()
        time.sleep(0.25)
        spans.append((start, time.monotonic()))
        return {}

    for name in list(JOBS):
        monkeypatch.delitem(JOBS, name)
    monkeypatch.setitem(JOBS, "probe", Job("probe", "A probe", NEVER, run))
    return spans


@pytest.mark.postgresql
def test_schema_is_created_once_by_workers_starting_together(pg_url: str) -> None:
    dsn = worker.conninfo(pg_url)
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda: results.append(worker.ensure_schema(dsn))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [False, False, True]
    assert worker.ensure_schema(dsn) is False


@pytest.mark.postgresql
def test_two_workers_never_run_a_job_twice_at_once(
    pg_url: str, pg_engine: Engine, probe: list[tuple[float, float]]
) -> None:
    settings = Settings(database_url=pg_url)
    worker.ensure_schema(worker.conninfo(pg_url))
    deferred, refused = asyncio.run(_defer_while_two_workers_run(settings, pg_engine))
    assert deferred >= 3 and refused > 0  # the queueing lock refused defers while one waited
    spans = sorted(probe)
    assert len(spans) == deferred  # every deferred run ran, once
    for (_, end), (start, _) in itertools_pairwise(spans):
        assert start >= end, "two runs of the job overlapped"
    with pg_engine.connect() as connection:
        rows = connection.execute(
            select(JobRun.started_at, JobRun.finished_at, JobRun.runner).order_by(JobRun.started_at)
        ).all()
    assert len(rows) == deferred and all(r.runner.startswith("worker:") for r in rows)
    for before, after in itertools_pairwise(rows):
        assert after.started_at >= before.finished_at


def itertools_pairwise(items: list[Any]) -> Any:
    from itertools import pairwise

    return pairwise(items)


async def _defer_while_two_workers_run(settings: Settings, engine: Engine) -> tuple[int, int]:
    apps = [worker.build_app(settings, engine) for _ in range(2)]
    deferred = refused = 0
    async with apps[0].open_async(), apps[1].open_async():
        runs = [
            asyncio.create_task(
                app.run_worker_async(
                    queues=[worker.QUEUE],
                    concurrency=3,
                    install_signal_handlers=False,
                    fetch_job_polling_interval=0.1,
                    delete_jobs="successful",
                )
            )
            for app in apps
        ]
        task = apps[0].tasks["aligna.job.probe"]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 3
        while loop.time() < deadline:
            try:
                await task.defer_async()
                deferred += 1
            except AlreadyEnqueued:
                refused += 1
            await asyncio.sleep(0.02)
        manager = apps[0].job_manager
        for _ in range(100):  # wait for the queue to drain
            left = await manager.list_jobs_async(task="aligna.job.probe")
            if not [j for j in left if j.status in ("todo", "doing")]:
                break
            await asyncio.sleep(0.1)
        for run in runs:
            run.cancel()
        await asyncio.gather(*runs, return_exceptions=True)
    return deferred, refused


@pytest.mark.postgresql
def test_two_workers_deferring_the_same_tick_create_one_job(
    pg_url: str, pg_engine: Engine, probe: list[tuple[float, float]]
) -> None:
    settings = Settings(database_url=pg_url)
    worker.ensure_schema(worker.conninfo(pg_url))

    async def defer_from_both() -> None:
        apps = [worker.build_app(settings, pg_engine) for _ in range(2)]
        async with apps[0].open_async(), apps[1].open_async():
            tick = int(time.time()) // 60 * 60
            pairs = [
                (app.periodic_registry.periodic_tasks[("aligna.job.probe", "probe")], app)
                for app in apps
            ]
            deferrers = [PeriodicDeferrer(registry=app.periodic_registry) for app in apps]
            await asyncio.gather(
                *(d.defer_jobs([(p, tick)]) for d, (p, _) in zip(deferrers, pairs, strict=True))
            )
            # The next tick, while the first still waits: the queueing lock skips it.
            await deferrers[0].defer_jobs([(pairs[0][0], tick + 60)])

    asyncio.run(defer_from_both())
    with pg_engine.connect() as connection:
        jobs = connection.execute(
            text("SELECT task_name, args FROM procrastinate_jobs ORDER BY id")
        ).all()
        defers = connection.execute(
            text("SELECT defer_timestamp FROM procrastinate_periodic_defers")
        ).all()
    assert [row.task_name for row in jobs] == ["aligna.job.probe"]
    assert [row.defer_timestamp for row in defers] == [jobs[0].args["timestamp"]]


@pytest.mark.postgresql
def test_the_embedded_scheduler_stands_down_while_workers_run(
    pg_url: str, pg_engine: Engine, probe: list[tuple[float, float]]
) -> None:
    worker.ensure_schema(worker.conninfo(pg_url))
    settings = Settings(database_url=pg_url)
    embedded = EmbeddedScheduler(pg_engine, settings, holder="embedded:x:1")
    try:
        assert not workers_active(pg_engine)
        assert embedded.elect_once() is True
        with pg_engine.begin() as connection:
            connection.execute(text("INSERT INTO procrastinate_workers DEFAULT VALUES"))
        assert workers_active(pg_engine)
        assert embedded.elect_once() is False and not embedded.running
        assert embedded.lease.current() is None
    finally:
        embedded.stop()


@pytest.mark.postgresql
def test_aligna_worker_runs_the_jobs_and_stops_on_sigterm(
    pg_url: str, pg_engine: Engine, tmp_path: Any
) -> None:
    """The real command: it creates Procrastinate's tables, runs the jobs due, stops cleanly."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALIGNA_")}
    log = tmp_path / "worker.log"
    aligna = Path(sys.executable).parent / "aligna"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(aligna), "--database", pg_url, "worker", "--concurrency", "2"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**env, "ALIGNA_SCHEDULER": "off"},
            cwd=tmp_path,
        )
    try:

        def finished_runs() -> int:
            with pg_engine.connect() as connection:
                return connection.execute(
                    select(func.count()).where(
                        JobRun.runner.startswith("worker:"), JobRun.finished_at.is_not(None)
                    )
                ).scalar_one()

        deadline = time.monotonic() + 20
        # The minutely delivery's latest tick is less than a minute old: deferred at start.
        while finished_runs() == 0 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        assert finished_runs() >= 1, log.read_text()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    events = [json.loads(line).get("event") for line in lines]
    assert "worker_started" in events and "worker_stopped" in events
    with pg_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar() == 0
