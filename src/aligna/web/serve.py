"""Running the web application with uvicorn: one process, or several workers."""

from __future__ import annotations

import os
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
        },
    }


def app_from_environment() -> FastAPI:
    """The app of the project named by ALIGNA_PROJECT (for uvicorn's worker processes)."""
    from aligna.web.app import create_app

    return create_app(load_settings())


def serve(
    settings: Settings, *, host: str, port: int, workers: int = 1, log_level: str = "info"
) -> None:
    """Serve until interrupted; several workers share the port (each opens the database)."""
    import uvicorn

    common: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": log_config(log_level),
        "timeout_graceful_shutdown": GRACEFUL_SECONDS,
        "proxy_headers": True,
    }
    if workers <= 1:
        from aligna.web.app import create_app

        uvicorn.run(create_app(settings), **common)
        return
    # Worker processes build their own app from the environment: pass the project along.
    if settings.project is not None:
        os.environ["ALIGNA_PROJECT"] = str(settings.project)
    if settings.database_url:
        os.environ.setdefault("ALIGNA_DATABASE_URL", settings.resolved_database_url())
    uvicorn.run("aligna.web.serve:app_from_environment", factory=True, workers=workers, **common)
