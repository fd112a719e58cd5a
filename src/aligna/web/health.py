"""Health and readiness: the process is up; the database answers with its schema current."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from aligna.db import schema_is_current
from aligna.web.deps import get_context

router = APIRouter(tags=["health"])


@router.get("/health", summary="The process is up")
def health() -> dict[str, str]:
    """Liveness: answers as long as the process runs."""
    return {"status": "ok"}


@router.get("/ready", summary="The application can serve requests")
def ready(request: Request) -> JSONResponse:
    """Readiness: the database answers and its schema is at the newest migration."""
    engine = get_context(request).engine
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        current = schema_is_current(engine)
    except Exception as exc:  # any database failure means not ready; say which
        return JSONResponse({"status": "unavailable", "database": str(exc)[:200]}, 503)
    if not current:
        return JSONResponse({"status": "unavailable", "database": "schema not current"}, 503)
    return JSONResponse({"status": "ready", "database": engine.url.get_backend_name()})
