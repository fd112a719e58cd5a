"""What every page shares: rendering with the viewer and CSRF token, pagination, lookups."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from aligna.web.access import Viewer
from aligna.web.deps import get_context
from aligna.web.views.inbox import header_unread

PAGE_SIZE = 50


def render(
    request: Request, template: str, *, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """Render a page template with what the layout needs (viewer, CSRF token, names)."""
    context = get_context(request)
    viewer = getattr(request.state, "viewer", None)
    values.setdefault("title", "aligna")
    if "inbox_unread" not in values:
        values["inbox_unread"] = _inbox_unread(request, viewer)
    values.update(
        viewer=viewer,
        viewer_name=getattr(request.state, "viewer_name", ""),
        csrf_token=getattr(request.state, "csrf_token", ""),
        organisation=context.settings.name,
    )
    return context.templates.TemplateResponse(request, template, values, status_code=status_code)


def _inbox_unread(request: Request, viewer: Viewer | None) -> int | None:
    """The header's unread count; None for no viewer, or an account without a person."""
    if viewer is None or viewer.person_id is None:
        return None
    session = getattr(request.state, "db_session", None)
    if session is not None:
        return header_unread(session, viewer.person_id)
    with Session(get_context(request).engine) as own:  # a page without the request's session
        return header_unread(own, viewer.person_id)


def is_htmx(request: Request) -> bool:
    """Whether htmx asked for a fragment (then only the part is rendered)."""
    return request.headers.get("hx-request") == "true"


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows and where it is among the pages."""

    rows: list[Any]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are."""
        return max(1, math.ceil(self.total / self.size))


def paginate(session: Session, query: Select[Any], page: int, size: int = PAGE_SIZE) -> Page:
    """Count a query and fetch one page of it (two statements, whatever the size)."""
    total = session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    number = min(max(1, page), max(1, math.ceil(total / size)))
    rows = list(session.execute(query.limit(size).offset((number - 1) * size)).all())
    return Page(rows, number, size, total)
