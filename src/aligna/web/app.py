"""The web application: `create_app(settings)` builds it, with pages, the API and health checks."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from aligna.db import open_database
from aligna.settings import Settings
from aligna.web.context import STATIC, TEMPLATES, WebContext, resolve_secret
from aligna.web.deps import CsrfFailed, Forbidden, NotFound, SignInRequired
from aligna.web.svg.scale import num

log = logging.getLogger("aligna.web")


def app_version() -> str:
    """The installed aligna's version."""
    try:
        return version("aligna")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "dev"


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """Build the web application for a project's settings (and optionally its database)."""
    owned = engine is None
    engine = engine or open_database(settings.resolved_database_url())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("started", extra={"event": "started", "database": engine.url.get_backend_name()})
        yield
        log.info("stopping", extra={"event": "stopping"})
        if owned:
            engine.dispose()

    app = FastAPI(
        title="aligna",
        version=app_version(),
        description="The REST API of aligna, the engine of alignment: read every entity and "
        "its evaluation, write manual KPI values. Errors are RFC 9457 problem details.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        lifespan=lifespan,
    )
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters["num"] = _num
    templates.env.filters["day"] = _day
    zone = ZoneInfo(settings.timezone)
    templates.env.filters["when"] = lambda value: _when(value, zone)
    templates.env.globals["version"] = app_version()
    from aligna.web import rendering

    rendering.install(templates)
    context = WebContext(settings, engine, templates, resolve_secret(settings))
    if clock is not None:
        context.clock = clock
    app.state.aligna = context
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    _routes(app)
    _handlers(app)
    app.middleware("http")(_request_log)
    app.middleware("http")(_security_headers)
    return app


def _routes(app: FastAPI) -> None:
    from aligna.web import health
    from aligna.web.api import router as api
    from aligna.web.auth import forgot, oidc
    from aligna.web.auth import routes as auth
    from aligna.web.pages import (
        admin,
        exception,
        follow,
        inbox,
        initiative,
        kpi,
        learn,
        map_page,
        objectives,
        people,
        preferences,
        search,
        unit,
    )

    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(forgot.router)
    app.include_router(oidc.router)
    for module in (
        people,
        kpi,
        follow,
        map_page,
        objectives,
        initiative,
        unit,
        search,
        learn,
        inbox,
        exception,
        preferences,
        admin,
    ):
        app.include_router(module.router)
    app.include_router(api.router)


def _num(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, int | float):
        return num(float(value)) if digits == 2 else f"{value:,.{digits}f}"
    return str(value)


def _day(value: Any) -> str:
    return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value or "")


def _when(value: Any, zone: ZoneInfo) -> str:
    """A moment in the organisation's time zone, to the minute."""
    if not isinstance(value, datetime):
        return str(value or "")
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem(status: int, title: str, detail: str, request: Request, **extra: Any) -> JSONResponse:
    """An RFC 9457 problem details answer."""
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _page_error(request: Request, status: int, title: str, detail: str) -> Response:
    context: WebContext = request.app.state.aligna
    return context.templates.TemplateResponse(
        request,
        "error.html",
        {"title": title, "detail": detail, "status": status, "viewer": None},
        status_code=status,
    )


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        detail = f"There is no {exc.what} here, or you may not see it."
        if _is_api(request):
            return problem(404, "Not found", detail, request)
        return _page_error(request, 404, "Not found", detail)

    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, exc: SignInRequired) -> Response:
        if _is_api(request):
            response = problem(
                401, "Sign-in required", "Send an API token: Authorization: Bearer …", request
            )
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        detail = "Your role does not allow this."
        if _is_api(request):
            return problem(403, "Forbidden", detail, request)
        return _page_error(request, 403, "Forbidden", detail)

    @app.exception_handler(CsrfFailed)
    async def csrf(request: Request, exc: CsrfFailed) -> Response:
        detail = "The form was too old or did not come from aligna. Reload the page and retry."
        if _is_api(request):
            return problem(403, "CSRF check failed", detail, request)
        return _page_error(request, 403, "Please try again", detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return problem(exc.status_code, _title(exc.status_code), str(exc.detail), request)
        if exc.status_code == 404:
            return _page_error(request, 404, "Not found", "There is no page here.")
        return _page_error(request, exc.status_code, _title(exc.status_code), str(exc.detail))

    from fastapi.exceptions import RequestValidationError

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "where": ".".join(str(p) for p in e.get("loc", ())),
                "message": e.get("msg", ""),
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['where']}: {e['message']}" for e in errors)
        if _is_api(request):
            return problem(422, "Invalid request", detail, request, errors=errors)
        return _page_error(request, 422, "Invalid request", detail)


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


async def _request_log(request: Request, call_next: Callable[..., Any]) -> Response:
    """One structured log line per request: method, path, status, milliseconds, who."""
    started = time.perf_counter()
    response: Response = await call_next(request)
    viewer = getattr(request.state, "viewer", None)
    log.info(
        "request",
        extra={
            "event": "request",
            "method": request.method,
            "path": request.url.path,
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1),
            "account": getattr(viewer, "account_id", None),
        },
    )
    return response


async def _security_headers(request: Request, call_next: Callable[..., Any]) -> Response:
    """Everything is served by aligna itself: a strict content security policy says so."""
    response: Response = await call_next(request)
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


class JsonLogFormatter(logging.Formatter):
    """Log records as one JSON object a line, with the record's extra fields."""

    BASE = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON."""
        data = {
            "time": datetime.fromtimestamp(record.created).astimezone().isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update(
            {
                k: v
                for k, v in record.__dict__.items()
                if k not in self.BASE and k != "color_message"  # uvicorn's terminal copy
            }
        )
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)


__all__ = ["HTMLResponse", "JsonLogFormatter", "create_app", "problem"]
