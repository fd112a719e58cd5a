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
    context = get_context(request)
    engine = context.engine
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        # Reading the migration scripts takes ~0.1 s: once current, a schema stays current
        # for this process (migrations run before serving, never under it).
        current = context.schema_current or schema_is_current(engine)
        context.schema_current = current
    except Exception as exc:  # any database failure means not ready; say which
        return JSONResponse({"status": "unavailable", "database": str(exc)[:200]}, 503)
    if not current:
        return JSONResponse({"status": "unavailable", "database": "schema not current"}, 503)
    return JSONResponse({"status": "ready", "database": engine.url.get_backend_name()})
