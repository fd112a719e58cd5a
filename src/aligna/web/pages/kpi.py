"""The KPI page: chart, values, definition and source, people, target changes, explain."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from aligna import model as m
from aligna.evaluate.explain_stored import explain_stored
from aligna.web.deps import Context, CurrentViewer, DbSession, NotFound
from aligna.web.pages.common import is_htmx, render
from aligna.web.views.follow import Followable, follow_state
from aligna.web.views.kpi import SLICES_PAGE, find_kpi, kpi_page

router = APIRouter(include_in_schema=False)
VALUES_PAGE = 24


def _unit_id(session: DbSession, unit: str | None) -> int | None:
    if unit is None:
        return None
    unit_id = session.execute(select(m.Unit.id).where(m.Unit.slug == unit)).scalar()
    if unit_id is None:
        raise NotFound("unit")
    return unit_id


@router.get("/kpis/{slug}", response_class=HTMLResponse)
def kpi(
    slug: str,
    request: Request,
    viewer: CurrentViewer,
    session: DbSession,
    unit: str | None = None,
    page: int = Query(1, ge=1),
    slices: int = Query(1, ge=1),
) -> Response:
    """A KPI (or one unit's slice of it) with its history, targets, signals and people."""
    found = find_kpi(session, viewer, slug)
    if found is None:
        raise NotFound("KPI")
    view = kpi_page(
        session, viewer=viewer, kpi=found, unit_id=_unit_id(session, unit), slice_page=slices
    )
    newest_first = list(reversed(view.history))
    pages = max(1, -(-len(newest_first) // VALUES_PAGE))
    number = min(page, pages)
    rows = newest_first[(number - 1) * VALUES_PAGE : number * VALUES_PAGE]
    follow_item, following = follow_state(
        session, viewer, Followable("kpi", found.id, found.slug, found.name)
    )
    return render(
        request,
        "pages/kpi.html",
        title=view.item.name,
        view=view,
        rows=rows,
        values_page={"number": number, "pages": pages, "total": len(newest_first)},
        unit=unit,
        slices_pages=max(1, -(-view.slice_count // SLICES_PAGE)),
        follow_item=follow_item,
        following=following,
    )


@router.get("/kpis/{slug}/explain", response_class=HTMLResponse)
def explain(
    slug: str,
    request: Request,
    viewer: CurrentViewer,
    session: DbSession,
    ctx: Context,
    period: str | None = None,
    unit: str | None = None,
) -> Response:
    """How the status, score, trend, signals and forecast of a period were computed."""
    found = find_kpi(session, viewer, slug)
    if found is None:
        raise NotFound("KPI")
    try:
        explanation = explain_stored(
            ctx.engine, kpi_id=found.id, unit_id=_unit_id(session, unit), period=period
        )
        lines, problem = explanation.lines, None
        period = explanation.period
    except (LookupError, ValueError) as exc:
        lines, problem = [], str(exc)
    template = "partials/explain.html" if is_htmx(request) else "pages/explain.html"
    return render(
        request,
        template,
        title=f"Explain {found.name}",
        kpi=found,
        period=period,
        unit=unit,
        lines=lines,
        problem=problem,
    )
