"""Recording job runs and the overview of every job, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, insert, select

from aligna.jobs import JOBS, Job, JobContext
from aligna.model.channel import JobRun
from aligna.schedule import runs
from aligna.schedule.runs import UnknownJob, job_overview, mark_interrupted, run_job
from aligna.settings import Settings

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, timezone="Europe/Paris")


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> list[JobContext]:
    """A temporary job `probe` (daily at 07:00) that records the contexts it ran with."""
    seen: list[JobContext] = []

    def run(context: JobContext) -> dict[str, Any]:
        seen.append(context)
        return {"answer": 42, "when": context.now}

    monkeypatch.setitem(JOBS, "probe", Job("probe", "A probe", "0 7 * * *", run))
    return seen


@pytest.fixture
def broken(monkeypatch: pytest.MonkeyPatch) -> None:
    """A temporary job `broken` that fails with a secret in its message."""

    def run(context: JobContext) -> dict[str, Any]:
        raise RuntimeError("could not log in with hunter2-smtp at the mail server")

    monkeypatch.setitem(JOBS, "broken", Job("broken", "Always fails", "*/5 * * * *", run))


def test_run_job_records_an_ok_run(
    engine: Engine, settings: Settings, probe: list[JobContext]
) -> None:
    record = run_job("probe", engine=engine, settings=settings, now=NOW, runner="test:1")
    assert record.ok is True and record.error == ""
    assert record.summary["answer"] == 42
    assert record.summary["simulated_at"] == NOW.isoformat()  # not the clock's time: kept
    assert record.finished_at is not None and record.seconds is not None
    assert probe[0].now == NOW and probe[0].runner == "test:1" and probe[0].engine is engine
    with engine.connect() as connection:
        row = connection.execute(select(JobRun)).one()
    assert (row.job, row.runner, row.ok) == ("probe", "test:1", True)


def test_run_job_records_a_failed_run_without_secrets(
    engine: Engine, settings: Settings, broken: None, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings.model_copy(update={"smtp_password": SecretStr("hunter2-smtp")})
    record = run_job("broken", engine=engine, settings=settings, runner="test:1")
    assert record.ok is False
    assert record.error == "RuntimeError: could not log in with ******** at the mail server"
    assert "Traceback" not in record.error
    assert "summary" not in record.summary and record.summary == {}
    assert any(r.exc_info for r in caplog.records if r.name == "aligna.jobs")  # logged in full
    overview = {o.name: o for o in job_overview(engine, settings, NOW)}["broken"]
    assert overview.last_error is not None and overview.last_error.id == record.id
    assert overview.last_run is not None and overview.last_run.ok is False


def test_unknown_job_names_the_known_ones(engine: Engine, settings: Settings) -> None:
    with pytest.raises(UnknownJob, match=r"the jobs are: .*refresh"):
        run_job("nope", engine=engine, settings=settings, runner="test:1")


def test_overview_next_run_in_the_organisation_time_zone(
    engine: Engine, settings: Settings, probe: list[JobContext]
) -> None:
    overviews = {o.name: o for o in job_overview(engine, settings, NOW)}
    assert set(overviews) == set(JOBS)
    probe_view = overviews["probe"]
    # 07:00 in Paris on 26 November is 06:00 UTC.
    assert probe_view.next_run == datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    assert probe_view.schedule == "daily at 07:00"
    assert probe_view.last_run is None and probe_view.running is None
    assert probe_view.as_dict()["next_run"] == "2026-11-26T06:00:00+00:00"


def test_overview_shows_a_running_run_and_interrupted_ones(
    engine: Engine, settings: Settings, probe: list[JobContext]
) -> None:
    run_job("probe", engine=engine, settings=settings, runner="embedded:a:1")
    with engine.begin() as connection:
        connection.execute(
            insert(JobRun).values(
                job="probe",
                runner="embedded:b:2",
                started_at=datetime.now(UTC) + timedelta(seconds=1),
                error="",
                summary="",
            )
        )
    view = {o.name: o for o in job_overview(engine, settings)}["probe"]
    assert view.running is not None and view.running.runner == "embedded:b:2"
    assert view.last_run is not None and view.last_run.runner == "embedded:a:1"
    assert mark_interrupted(engine, runner_prefix="worker:", reason="x") == 0
    assert mark_interrupted(engine, runner_prefix="embedded:", reason="its process died") == 1
    view = {o.name: o for o in job_overview(engine, settings)}["probe"]
    assert view.running is None
    assert view.last_error is not None
    assert view.last_error.error == "interrupted: its process died"


def test_history_older_than_30_days_is_deleted_but_the_latest_failure_stays(
    engine: Engine, settings: Settings, probe: list[JobContext]
) -> None:
    old = datetime.now(UTC) - timedelta(days=40)
    with engine.begin() as connection:
        for index, ok in enumerate([False, True, True]):
            connection.execute(
                insert(JobRun).values(
                    job="probe",
                    runner="old",
                    started_at=old + timedelta(minutes=index),
                    finished_at=old + timedelta(minutes=index, seconds=1),
                    ok=ok,
                    error="" if ok else "ValueError: long ago",
                    summary="{}",
                )
            )
    assert runs.KEEP_DAYS == 30
    run_job("probe", engine=engine, settings=settings, runner="new")
    with engine.connect() as connection:
        kept = connection.execute(select(JobRun.runner, JobRun.ok).order_by(JobRun.id)).all()
    assert [tuple(row) for row in kept] == [("old", False), ("new", True)]
