"""The embedded scheduler: runs jobs while it holds the lease, hands over when it loses it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from aligna.jobs import JOBS, Job, JobContext
from aligna.model.channel import JobRun, SchedulerLease
from aligna.schedule.embedded import EmbeddedScheduler
from aligna.schedule.lease import EXPIRED
from aligna.settings import Settings

NEVER = "0 0 1 1 *"  # once a year: never on its own during a test


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, timezone="Europe/Paris")


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """JOBS holding only a probe job (cron NEVER) that records (runner, thread) of each run."""
    seen: list[tuple[str, str]] = []

    def run(context: JobContext) -> dict[str, Any]:
        seen.append((context.runner, threading.current_thread().name))
        return {"ok": True}

    for name in list(JOBS):
        monkeypatch.delitem(JOBS, name)
    monkeypatch.setitem(JOBS, "probe", Job("probe", "A probe", NEVER, run))
    return seen


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_only_the_lease_holder_runs_jobs_and_the_other_takes_over(
    engine: Engine, settings: Settings, ran: list[tuple[str, str]]
) -> None:
    first = EmbeddedScheduler(engine, settings, holder="embedded:a:1", lease_seconds=1)
    second = EmbeddedScheduler(engine, settings, holder="embedded:b:2", lease_seconds=1)
    try:
        assert first.elect_once() is True and first.running
        assert second.elect_once() is False and not second.running
        with pytest.raises(RuntimeError, match="does not run in this process"):
            second.run_now("probe")
        first.run_now("probe")
        assert wait_for(lambda: len(ran) == 1)
        assert ran[0][0] == "embedded:a:1"
        # The first stops renewing (its process hangs): the lease expires, the second takes over.
        time.sleep(1.1)
        assert second.elect_once() is True and second.running
        assert first.elect_once() is False and not first.running  # it stops when it sees
        second.run_now("probe")
        assert wait_for(lambda: len(ran) == 2)
        assert ran[1][0] == "embedded:b:2"
        # Released on shutdown: the first takes it back at once.
        second.stop()
        with engine.connect() as connection:
            assert connection.execute(select(SchedulerLease.expires_at)).scalar() == EXPIRED
        assert first.elect_once() is True
    finally:
        first.stop()
        second.stop()
    with engine.connect() as connection:
        rows = connection.execute(select(JobRun.runner, JobRun.ok).order_by(JobRun.id)).all()
    assert [tuple(r) for r in rows] == [("embedded:a:1", True), ("embedded:b:2", True)]


def test_the_elector_thread_starts_and_stops_the_scheduler(
    engine: Engine, settings: Settings, ran: list[tuple[str, str]]
) -> None:
    embedded = EmbeddedScheduler(engine, settings, holder="embedded:t:1", renew_seconds=0.1)
    embedded.start()
    try:
        assert wait_for(lambda: embedded.running)
        embedded.run_now("probe")
        assert wait_for(lambda: len(ran) == 1)
    finally:
        embedded.stop()
    assert not embedded.running
    assert embedded.lease.current() is None


def test_a_tick_missed_just_before_start_runs_at_once(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restart or a takeover does not lose the run due a few minutes before."""
    seen: list[str] = []
    for name in list(JOBS):
        monkeypatch.delitem(JOBS, name)
    tick = datetime.now(UTC) - timedelta(minutes=3)
    cron = f"{tick.minute} {tick.hour} * * *"  # daily, 3 minutes ago (in UTC)
    for name in ("missed", "done"):
        monkeypatch.setitem(
            JOBS, name, Job(name, name, cron, lambda c, n=name: seen.append(n) or {})
        )
    with engine.begin() as connection:  # "done" ran after the tick: nothing to catch up
        connection.execute(
            insert(JobRun).values(
                job="done", runner="x", started_at=datetime.now(UTC), ok=True, error="", summary=""
            )
        )
    utc = settings.model_copy(update={"timezone": "UTC"})
    embedded = EmbeddedScheduler(engine, utc, holder="embedded:c:1")
    try:
        assert embedded.elect_once()
        assert wait_for(lambda: seen == ["missed"], timeout=5)
        time.sleep(0.3)
        assert seen == ["missed"]
    finally:
        embedded.stop()


def test_interrupted_runs_of_a_dead_holder_are_marked_at_takeover(
    engine: Engine, settings: Settings, ran: list[tuple[str, str]]
) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(JobRun).values(
                job="probe",
                runner="embedded:dead:9",
                started_at=datetime.now(UTC),
                error="",
                summary="",
            )
        )
    embedded = EmbeddedScheduler(engine, settings, holder="embedded:new:1")
    try:
        assert embedded.elect_once()
    finally:
        embedded.stop()
    with engine.connect() as connection:
        row = connection.execute(select(JobRun)).one()
    assert row.ok is False and row.error.startswith("interrupted: ")
