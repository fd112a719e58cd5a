"""Running the web application with uvicorn: one process, or several workers."""

from __future__ import annotations

import os
import socket
import sys
from typing import Any

from fastapi import FastAPI

from aligna.settings import Settings, load_settings

GRACEFUL_SECONDS = 10  # in-flight requests get this long to finish on shutdown


def log_config(level: str = "info") -> dict[str, Any]:
    """uvicorn's logging, as JSON lines (aligna's own request lines carry the details)."""
    formatter = {"()": "aligna.web.app.JsonLogFormatter"}
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": formatter},
        "handlers": {"default": handler},
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            # aligna logs each request itself, with who asked and how long it took.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "aligna": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            # The embedded scheduler's missed and failed runs; aligna logs each run itself.
            "apscheduler": {"handlers": ["default"], "level": "WARNING", "propagate": False},
        },
    }


def app_from_environment() -> FastAPI:
    """The app of the project named by ALIGNA_PROJECT (for uvicorn's worker processes)."""
    from aligna.web.app import create_app

    return create_app(load_settings())


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int = 1,
    log_level: str = "info",
    scheduler: bool = True,
) -> None:
    """Serve until interrupted; several workers each listen on the port (each opens the
    database). The embedded scheduler runs in this process unless `scheduler` is False or the
    setting `scheduler` is off."""
    import uvicorn

    from aligna.web.context import resolve_secret

    # Made once here, before any worker starts, so that every worker signs with the same one.
    resolve_secret(settings)
    embedded = _embedded_scheduler(settings, log_level) if scheduler else None
    if workers <= 1:
        from aligna.web.app import create_app

        if embedded is None:
            uvicorn.run(create_app(settings), **_options(host, port, log_level))
            return
        _serve_with_scheduler(embedded, create_app(settings), host, port, log_level)
        return
    # Worker processes build their own app from the environment: pass the project along.
    if settings.project is not None:
        os.environ["ALIGNA_PROJECT"] = str(settings.project)
    os.environ.setdefault("ALIGNA_DATABASE_URL", settings.resolved_database_url())
    _supervise(host, port, workers, log_level, embedded)


def _embedded_scheduler(settings: Settings, log_level: str) -> Any:
    """The embedded scheduler for this process, or None when the setting turns it off.

    It runs in the process `aligna serve` starts in: the supervisor when there are several
    workers (one scheduler per `aligna serve`, whatever the number of workers), the web process
    otherwise; several `aligna serve` on one database elect one with the lease.
    """
    if settings.scheduler != "embedded":
        return None
    import logging.config

    from aligna.db import open_database
    from aligna.schedule.embedded import EmbeddedScheduler

    logging.config.dictConfig(log_config(log_level))  # its lines before uvicorn starts
    # Migrated here, once, before any web worker opens the database.
    return EmbeddedScheduler(open_database(settings.resolved_database_url()), settings)


def _serve_with_scheduler(
    embedded: Any, app: FastAPI, host: str, port: int, log_level: str
) -> None:
    """One web process that also runs the embedded scheduler, stopped cleanly on SIGTERM."""
    import signal

    import uvicorn

    # uvicorn re-raises SIGTERM after its graceful shutdown with the handler it found: with
    # the default one the process would die before the scheduler stops and frees its lease.
    terminated: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: terminated.append(signum))
    embedded.start()
    try:
        uvicorn.run(app, **_options(host, port, log_level))
    finally:
        embedded.stop()
        embedded.engine.dispose()
        signal.signal(signal.SIGTERM, previous)
    if terminated:  # end as SIGTERM ends a process, for process managers to see
        signal.raise_signal(signal.SIGTERM)


def _options(host: str, port: int, log_level: str) -> dict[str, Any]:
    return {
        "host": host,
        "port": port,
        "log_config": log_config(log_level),
        "timeout_graceful_shutdown": GRACEFUL_SECONDS,
        "proxy_headers": True,
    }


def _listening_socket(host: str, port: int) -> socket.socket:
    """A socket on the shared port with SO_REUSEPORT: the kernel spreads new connections over
    the workers' sockets. (One inherited socket let one busy worker take every keep-alive
    connection while the other idled.)"""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int, log_level: str) -> None:
    """One worker process: its own socket on the port, its own app and database pool."""
    import uvicorn

    options = _options(host, port, log_level)
    options.pop("host"), options.pop("port")
    config = uvicorn.Config("aligna.web.serve:app_from_environment", factory=True, **options)
    uvicorn.Server(config).run(sockets=[_listening_socket(host, port)])


def _supervise(host: str, port: int, workers: int, log_level: str, embedded: Any = None) -> None:
    """Start the workers, restart one that dies, and stop them all on SIGTERM or Ctrl+C;
    run the embedded scheduler (if any) meanwhile."""
    import logging
    import multiprocessing
    import signal
    import time

    log = logging.getLogger("aligna.web")
    _listening_socket(host, port).close()  # a port already in use fails here, clearly
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> Any:
        process = context.Process(target=_worker, args=(host, port, log_level), daemon=False)
        process.start()
        return process

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for process in running:  # each finishes its requests in flight, then exits
            if process.is_alive() and signum != signal.SIGINT:
                process.terminate()

    running = [start() for _ in range(workers)]
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)  # Ctrl+C reaches the workers too: they stop themselves
    print(f"aligna: {workers} workers on http://{host}:{port}", file=sys.stderr, flush=True)
    if embedded is not None:
        embedded.start()
    try:
        while not stopping:
            time.sleep(0.5)
            for index, process in enumerate(running):
                if not process.is_alive() and not stopping:
                    log.warning("a worker stopped (exit %s): starting another", process.exitcode)
                    running[index] = start()
    finally:
        if embedded is not None:  # while the workers finish their requests
            embedded.stop()
            embedded.engine.dispose()
    for process in running:
        process.join(GRACEFUL_SECONDS + 5)
        if process.is_alive():
            process.kill()
