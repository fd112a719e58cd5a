"""`aligna jobs`, `aligna jobs run` and `aligna worker` on a fresh project's database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aligna import cli
from aligna.cli import app
from aligna.jobs import JOBS, Job, JobContext

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    """Run the command; return its exit code and everything it printed."""
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An applied `aligna init` project in Paris time, with the current folder inside it."""
    monkeypatch.setattr(cli.console, "width", 200)
    monkeypatch.setattr(cli.errors, "width", 200)
    for name in ("ALIGNA_PROJECT", "ALIGNA_DATABASE_URL", "ALIGNA_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "org"
    assert run("init", str(folder))[0] == 0
    monkeypatch.chdir(folder)
    monkeypatch.setenv("ALIGNA_TIMEZONE", "Europe/Paris")
    code, output = run("apply", "-m", "first version")
    assert code == 0, output
    return folder


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """A temporary job `probe` that records the time it runs at."""
    seen: list[datetime] = []

    def job(context: JobContext) -> dict[str, Any]:
        seen.append(context.now)
        return {"looked_at": 3}

    monkeypatch.setitem(JOBS, "probe", Job("probe", "A probe", "0 7 * * 1-5", job))
    return seen


def test_jobs_lists_every_job_before_any_run(project: Path) -> None:
    code, output = run("jobs")
    assert code == 0, output
    assert "times in Europe/Paris" in output
    for name, job in JOBS.items():
        assert name in output and job.cron in output
    assert "never" in output
    assert "Embedded scheduler: not running" in output
    assert run("jobs", "list")[1] == output


def test_jobs_run_then_list_as_json(project: Path, probe: list[datetime]) -> None:
    code, output = run("jobs", "run", "probe")
    assert code == 0, output
    assert "looked_at: 3" in output and "probe: ok in" in output
    assert abs(probe[0] - datetime.now(UTC)) < timedelta(minutes=1)
    code, output = run("jobs", "--format", "json")
    assert code == 0, output
    records = {record["job"]: record for record in json.loads(output)}
    assert set(records) == set(JOBS)
    mine = records["probe"]
    assert mine["schedule"] == "weekdays at 07:00"
    assert mine["last_run"]["ok"] is True and mine["last_run"]["runner"].startswith("cli:")
    assert mine["last_run"]["summary"] == {"looked_at": 3}
    assert mine["last_error"] is None and mine["running"] is None
    next_run = datetime.fromisoformat(mine["next_run"])
    assert next_run > datetime.now(UTC) and next_run.astimezone(UTC).minute == 0


def test_jobs_run_at_a_simulated_time(project: Path, probe: list[datetime]) -> None:
    code, output = run("jobs", "run", "probe", "--at", "+8d")
    assert code == 0, output
    assert abs(probe[0] - (datetime.now(UTC) + timedelta(days=8))) < timedelta(minutes=1)
    code, output = run("jobs", "run", "probe", "--at", "2026-12-03T09:00", "--format", "json")
    assert code == 0, output
    assert probe[1] == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # 09:00 in Paris
    record = json.loads(output)
    assert record["ok"] is True
    assert record["summary"]["simulated_at"] == "2026-12-03T08:00:00+00:00"
    code, output = run("jobs", "run", "probe", "--at", "next tuesday")
    assert code == 1 and "cannot read the time" in output


def test_jobs_run_unknown_or_failing(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = run("jobs", "run", "nope")
    assert code == 1
    assert "unknown job 'nope'" in output and "refresh" in output and "deliver" in output

    def broken(context: JobContext) -> dict[str, Any]:
        raise ValueError("the warehouse is asleep")

    monkeypatch.setitem(JOBS, "broken", Job("broken", "Fails", "* * * * *", broken))
    code, output = run("jobs", "run", "broken")
    assert code == 1 and "broken failed: ValueError: the warehouse is asleep" in output
    code, output = run("jobs", "--format", "json")
    record = {r["job"]: r for r in json.loads(output)}["broken"]
    assert record["last_error"]["error"] == "ValueError: the warehouse is asleep"


def test_a_real_job_runs_on_a_fresh_database(project: Path) -> None:
    code, output = run("jobs", "run", "deliver")
    assert code == 0, output
    assert "deliver: ok in" in output


def test_worker_refuses_sqlite(project: Path) -> None:
    code, output = run("worker")
    assert code == 1
    assert "aligna worker needs PostgreSQL; with SQLite the jobs run inside aligna serve" in output


def test_jobs_names_the_process_running_the_embedded_scheduler(project: Path) -> None:
    from aligna.db import open_database
    from aligna.schedule.lease import Lease

    engine = open_database(f"sqlite:///{project / 'aligna.db'}")
    try:
        assert Lease(engine, "embedded", "embedded:web1:42").acquire()
    finally:
        engine.dispose()
    code, output = run("jobs")
    assert code == 0 and "Embedded scheduler: running in embedded:web1:42" in output
