"""`aligna serve` runs the jobs in one process, and stops cleanly, lease released."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select

from aligna.db import open_database, session_scope
from aligna.files.service import apply_project, validate_project
from aligna.model.channel import JobRun, SchedulerLease
from aligna.schedule.lease import EXPIRED
from aligna.settings import load_settings
from helpers import copy_template

ALIGNA = Path(sys.executable).parent / "aligna"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An applied `aligna init` project."""
    folder = copy_template(tmp_path / "org")
    engine = open_database(load_settings(folder).resolved_database_url())
    try:
        with session_scope(engine) as session:
            apply_project(session, validate_project(folder), actor="test", message="first")
    finally:
        engine.dispose()
    return folder


def _env(folder: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALIGNA_")}
    return {**env, "ALIGNA_PROJECT": str(folder), **extra}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _launch(
    project: Path, log: Path, *args: str, **env: str
) -> tuple[subprocess.Popen[bytes], int]:
    """Start `aligna serve` on a free port (without waiting)."""
    port = _free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(ALIGNA), "serve", "--port", str(port), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_env(project, **env),
        )
    return server, port


def _ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def serving(project: Path, log: Path, *args: str, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """`aligna serve` on a free port until the block ends; it answers before the block starts."""
    server, port = _launch(project, log, *args, **env)
    try:
        assert _wait(lambda: _ready(port), 30), log.read_text()
        yield server
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)


def _events(log: Path) -> list[str]:
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    return [line.get("event", "") for line in lines]


def _engine(project: Path) -> Engine:
    return open_database(f"sqlite:///{project / 'aligna.db'}", migrate=False)


def _finished_runs(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(
            select(func.count()).where(
                JobRun.runner.startswith("embedded:"), JobRun.finished_at.is_not(None)
            )
        ).scalar_one()


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_runs_the_jobs_then_stops_and_releases_the_lease(
    project: Path, tmp_path: Path, workers: int
) -> None:
    log = tmp_path / "serve.log"
    engine = _engine(project)
    try:
        with serving(project, log, "--workers", str(workers)) as server:
            # The minutely delivery's last tick passed less than a minute ago and it never
            # ran: the scheduler runs it at once.
            assert _wait(lambda: _finished_runs(engine) >= 1), log.read_text()
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=30) in (0, -signal.SIGTERM)
        with engine.connect() as connection:
            lease = connection.execute(select(SchedulerLease)).one()
            unfinished = connection.execute(
                select(func.count()).where(JobRun.finished_at.is_(None))
            ).scalar_one()
    finally:
        engine.dispose()
    assert lease.expires_at == EXPIRED and lease.holder.startswith("embedded:")
    assert unfinished == 0
    events = _events(log)
    assert events.count("scheduler_started") == 1 and events.count("scheduler_stopped") == 1
    assert events.count("stopping") == workers  # every web worker stopped gracefully


@pytest.mark.parametrize(
    ("args", "env"), [(["--no-scheduler"], {}), ([], {"ALIGNA_SCHEDULER": "off"})]
)
def test_serve_without_the_scheduler(
    project: Path, tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    log = tmp_path / "serve.log"
    with serving(project, log, *args, **env) as server:
        time.sleep(1.5)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
    engine = _engine(project)
    try:
        assert _finished_runs(engine) == 0
    finally:
        engine.dispose()
    assert "scheduler_started" not in _events(log)


def test_two_serve_on_one_database_elect_one_scheduler(project: Path, tmp_path: Path) -> None:
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    started = [_launch(project, log) for log in logs]
    engine = _engine(project)
    try:
        assert all(_wait(lambda port=port: _ready(port), 30) for _, port in started)
        assert _wait(lambda: _finished_runs(engine) >= 1)
        time.sleep(0.5)
        for server, _ in started:
            server.send_signal(signal.SIGTERM)
        for server, _ in started:
            assert server.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        engine.dispose()
        for server, _ in started:
            if server.poll() is None:
                server.kill()
    elected = [_events(log).count("scheduler_started") for log in logs]
    assert sorted(elected) == [0, 1]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_the_demo_serves_with_the_scheduler_and_stops_cleanly(
    tmp_path: Path, stop: signal.Signals
) -> None:
    port = _free_port()
    log = tmp_path / "demo.log"
    folder = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALIGNA_")}
    with log.open("w") as out:
        demo = subprocess.Popen(
            [str(ALIGNA), "demo", "--people", "20", "--dir", str(folder), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
        )
    try:
        assert _wait(lambda: "scheduler_started" in _events(log), 60), log.read_text()
        assert httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5).status_code == 200
        demo.send_signal(stop)  # Ctrl+C, or a process manager
        code = demo.wait(timeout=30)
    finally:
        if demo.poll() is None:
            demo.kill()
    assert code in (0, 130, -stop), log.read_text()
    assert "Traceback" not in log.read_text()
    assert _events(log).count("scheduler_stopped") == 1
