"""`aligna serve` as operators run it: workers on one port, JSON logs, a graceful stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from web_support import WebDemo, build_web_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> WebDemo:
    return build_web_demo(tmp_path_factory.mktemp("serve") / "demo")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_then_stops_gracefully_on_sigterm(
    demo: WebDemo, tmp_path: Path, workers: int
) -> None:
    port = _free_port()
    aligna = Path(sys.executable).parent / "aligna"
    log = tmp_path / "serve.log"
    env = {**os.environ, "ALIGNA_PROJECT": str(demo.folder)}
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(aligna), "serve", "--port", str(port), "--workers", str(workers)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.monotonic() + 30
        ready = None
        while time.monotonic() < deadline:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert ready is not None and ready.json() == {"status": "ready", "database": "sqlite"}
        login = httpx.get(f"http://127.0.0.1:{port}/login", timeout=5)
        assert login.status_code == 200 and "Sign in to aligna" in login.text
        server.send_signal(signal.SIGTERM)
        # uvicorn re-raises the signal after its graceful shutdown, so that process managers
        # see how it ended; the "stopping" lines below show the shutdown ran.
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "request"]
    assert any(r["path"] == "/login" and r["status"] == 200 for r in requests)
    assert sum(line.get("event") == "stopping" for line in lines) == workers
