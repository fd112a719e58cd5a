"""Browser-test helpers: Debian's chromium, a live uvicorn server, axe-core checks."""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import uvicorn
from playwright.sync_api import Error, Page
from starlette.types import ASGIApp

CHROMIUM = "/usr/bin/chromium"
# Lets a developer without Debian's package point the tests at another chromium build.
CHROMIUM_ENV = "ALIGNA_TEST_CHROMIUM"
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
# One lock file per machine, so that parallel xdist workers (and parallel sessions) run apt
# one at a time: apt's own dpkg lock makes a second apt-get fail instead of waiting.
_INSTALL_LOCK = Path("/tmp/aligna-chromium-install.lock")
_APT_TIMEOUT = 1200


class ChromiumUnavailable(RuntimeError):
    """No chromium to drive, and none could be installed."""


def _installed_chromium() -> str | None:
    """The path of a usable chromium binary, if one is there."""
    override = os.environ.get(CHROMIUM_ENV)
    if override:
        if not os.access(override, os.X_OK):
            raise ChromiumUnavailable(f"{CHROMIUM_ENV}={override} is not an executable file")
        return override
    return CHROMIUM if os.access(CHROMIUM, os.X_OK) else None


def _apt_get(*args: str) -> subprocess.CompletedProcess[str]:
    """Run apt-get without questions, waiting for a dpkg lock held by another apt."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "-o", "DPkg::Lock::Timeout=300", *args]
    try:
        return subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=_APT_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ChromiumUnavailable(f"{' '.join(command)} did not run: {error}") from error


def _install_chromium() -> None:
    """Install Debian's chromium with apt-get, refreshing the package lists when needed."""
    install = ("install", "-y", "--no-install-recommends", "chromium")
    result = _apt_get(*install)
    if result.returncode != 0:
        # A fresh machine (or container) has no package lists: "Unable to locate package".
        update = _apt_get("update")
        if update.returncode != 0:
            raise ChromiumUnavailable(f"apt-get update failed:\n{update.stderr[-2000:]}")
        result = _apt_get(*install)
    if result.returncode != 0:
        raise ChromiumUnavailable(
            f"apt-get install chromium failed:\n{(result.stdout + result.stderr)[-2000:]}"
        )


def ensure_chromium() -> str:
    """Return the path of Debian's chromium, installing it with apt-get when missing (root only)."""
    found = _installed_chromium()
    if found:
        return found
    if os.geteuid() != 0:
        raise ChromiumUnavailable(
            f"browser tests need chromium at {CHROMIUM}: install it with "
            "`sudo apt-get install --no-install-recommends chromium` "
            f"(or set {CHROMIUM_ENV} to a chromium binary); as root the tests install it themselves"
        )
    if shutil.which("apt-get") is None:
        raise ChromiumUnavailable(f"no chromium at {CHROMIUM} and no apt-get to install it with")
    with _INSTALL_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Another worker may have installed it while this one waited for the lock.
        found = _installed_chromium()
        if found:
            return found
        _install_chromium()
    found = _installed_chromium()
    if not found:
        raise ChromiumUnavailable(f"apt-get installed chromium, yet {CHROMIUM} is not there")
    return found


# Playwright's sync API keeps its event loop suspended inside a greenlet and leaves it marked
# as the thread's running loop between calls. While it is marked, asyncio.run() (and anyio's
# and pytest's asyncio runners) refuse to start in that thread, so the conftest unmarks the loop
# after each browser test phase and marks it again before the next one.
_playwright_loop: asyncio.AbstractEventLoop | None = None


def adopt_playwright_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    """Record the event loop of the running Playwright instance (None when it stopped)."""
    global _playwright_loop
    _playwright_loop = loop


def claim_playwright_loop() -> None:
    """Mark Playwright's loop as running again, which its sync calls need."""
    if _playwright_loop is not None and not _playwright_loop.is_closed():
        asyncio._set_running_loop(_playwright_loop)


def release_playwright_loop() -> None:
    """Unmark Playwright's loop, so that other code in this thread can run its own loop."""
    if _playwright_loop is not None and asyncio._get_running_loop() is _playwright_loop:
        asyncio._set_running_loop(None)


def _bound_socket() -> socket.socket:
    """A listening-ready socket on a free port of 127.0.0.1."""
    # Binding here and handing the socket to uvicorn leaves no gap in which another process
    # (another xdist worker) could take the port.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def _answers(url: str) -> bool:
    """Whether an HTTP server answers at url (with any status)."""
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@contextmanager
def serve_app(app: ASGIApp, *, timeout: float = 15.0) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a background thread; yield its base URL."""
    sock = _bound_socket()
    port = sock.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    config = uvicorn.Config(
        app,
        log_config=None,  # uvicorn's own logging setup would replace pytest's log capture
        log_level="warning",
        access_log=False,
        lifespan="auto",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as error:  # uvicorn exits with SystemExit on startup errors
            failure.append(error)

    thread = threading.Thread(target=run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not (server.started and _answers(base_url + "/")):
            if not thread.is_alive():
                raise RuntimeError(
                    f"the test server stopped while starting: {failure or 'no error'}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"the test server did not answer at {base_url} in {timeout}s")
            time.sleep(0.05)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        if thread.is_alive():
            # Graceful shutdown waits for open requests; give up on them rather than hang.
            server.force_exit = True
            thread.join(timeout=5)
        sock.close()


_AXE_RUN = """
async (impacts) => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(" ")),
    }));
}
"""


def run_axe(
    page: Page, *, impacts: Sequence[str] = ("serious", "critical")
) -> list[dict[str, Any]]:
    """Run axe-core on the page; return its violations at the given impacts (empty when clean)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # From the file, so that nothing is fetched from the network.
        # A page whose Content-Security-Policy forbids inline scripts rejects the tag;
        # evaluate() goes through the DevTools protocol, which CSP does not govern.
        with suppress(Error):
            page.add_script_tag(path=AXE_JS)
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(_AXE_RUN, list(impacts))
