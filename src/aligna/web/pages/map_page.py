"""The Alignment Map page, filterable by unit and text; large groups open on demand."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import literal, select

from aligna import model as m
from aligna.web.deps import CurrentViewer, DbSession, NotFound
from aligna.web.pages.common import is_htmx, paginate, render
from aligna.web.views.map import build_map, kpi_rows

router = APIRouter(include_in_schema=False)


@router.get("/map", response_class=HTMLResponse)
def alignment_map(
    request: Request,
    viewer: CurrentViewer,
    session: DbSession,
    unit: str | None = None,
    q: str = "",
    open: str | None = None,
) -> Response:
    """Mission, vision and values in the centre; process KPIs and initiatives around them."""
    if unit and session.execute(select(m.Unit.id).where(m.Unit.slug == unit)).scalar() is None:
        raise NotFound("unit")
    the_map = build_map(session, viewer=viewer, unit=unit or None, query=q.strip(), open_group=open)
    units = filter_units(session, unit or None)
    return render(
        request, "pages/map.html", title="Alignment Map", nav="map", map=the_map, units=units
    )


def filter_units(session: DbSession, chosen: str | None, depth: int = 2) -> list[Any]:
    """The units offered as a filter: the top levels of the tree (a large organisation has
    thousands of teams; any unit's page links to its own map), and the chosen one."""
    level = (
        select(m.Unit.id, literal(0).label("depth"))
        .where(m.Unit.parent_id.is_(None), m.Unit.archived_at.is_(None))
        .cte("levels", recursive=True)
    )
    level = level.union_all(
        select(m.Unit.id, (level.c.depth + 1).label("depth")).where(
            m.Unit.parent_id == level.c.id, level.c.depth < depth, m.Unit.archived_at.is_(None)
        )
    )
    return list(
        session.execute(
            select(m.Unit.slug, m.Unit.name)
            .where(m.Unit.id.in_(select(level.c.id)) | (m.Unit.slug == (chosen or "")))
            .order_by(m.Unit.name)
        ).all()
    )


@router.get("/map/processes/{process}", response_class=HTMLResponse)
def process_kpis(
    process: str,
    request: Request,
    viewer: CurrentViewer,
    session: DbSession,
    unit: str | None = None,
    q: str = "",
    page: int = Query(1, ge=1),
) -> Response:
    """One process's KPIs on the map, a page at a time (a fragment for htmx)."""
    scope = None
    if unit:
        from aligna.web.access import unit_subtree

        unit_id = session.execute(select(m.Unit.id).where(m.Unit.slug == unit)).scalar()
        if unit_id is None:
            raise NotFound("unit")
        scope = unit_subtree(session, unit_id)
    key = "" if process == "none" else process
    statement = kpi_rows(viewer, scope=scope, query=q.strip(), process=key)
    page_rows = paginate(session, statement, page)
    name = (
        "Strategic KPIs (no process)"
        if key == ""
        else session.execute(select(m.Process.name).where(m.Process.slug == key)).scalar()
    )
    if name is None:
        raise NotFound("process")
    template = "partials/map_kpis.html" if is_htmx(request) else "pages/map_process.html"
    return render(
        request,
        template,
        title=name,
        nav="map",
        name=name,
        process=process,
        page=page_rows,
        unit=unit,
        q=q,
    )
