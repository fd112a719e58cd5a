"""The objective tree (the cascade from the vision targets down) and one objective's page."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from aligna import model as m
from aligna.web.deps import CurrentViewer, DbSession, NotFound
from aligna.web.pages.common import paginate, render
from aligna.web.views.objectives import objective_kpis, objective_tree

router = APIRouter(include_in_schema=False)


@router.get("/objectives", response_class=HTMLResponse)
def objectives(request: Request, viewer: CurrentViewer, session: DbSession) -> Response:
    """Every objective with its roll-up score and coverage, collapsible level by level."""
    roots = objective_tree(session, viewer=viewer)
    return render(
        request, "pages/objectives.html", title="Objectives", nav="objectives", roots=roots
    )


@router.get("/objectives/{slug}", response_class=HTMLResponse)
def objective(
    slug: str,
    request: Request,
    viewer: CurrentViewer,
    session: DbSession,
    page: int = Query(1, ge=1),
) -> Response:
    """One objective: its roll-up and every KPI serving it that the viewer may see."""
    found = session.execute(
        select(m.Objective).where(m.Objective.slug == slug, m.Objective.archived_at.is_(None))
    ).scalar()
    if found is None:
        raise NotFound("objective")
    evaluation = session.execute(
        select(m.ObjectiveEvaluation).where(m.ObjectiveEvaluation.objective_id == found.id)
    ).scalar()
    parent = session.get(m.Objective, found.parent_id) if found.parent_id else None
    kpis = paginate(session, objective_kpis(viewer, found.id), page)
    return render(
        request,
        "pages/objective.html",
        title=found.name,
        nav="objectives",
        objective=found,
        evaluation=evaluation,
        parent=parent,
        kpis=kpis,
    )
