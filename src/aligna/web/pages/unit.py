"""The unit page: its business scorecard, the units below it, and its people (for those allowed)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from aligna import model as m
from aligna.web.access import person_visible
from aligna.web.deps import CurrentViewer, DbSession, NotFound
from aligna.web.pages.common import paginate, render
from aligna.web.views.unit import business_scorecard, unit_parents

router = APIRouter(include_in_schema=False)


@router.get("/units/{slug}", response_class=HTMLResponse)
def unit(
    slug: str,
    request: Request,
    viewer: CurrentViewer,
    session: DbSession,
    page: int = Query(1, ge=1),
) -> Response:
    """A unit's business scorecard (its slice of broken-down KPIs), sub-units and people."""
    found = session.execute(
        select(m.Unit).where(m.Unit.slug == slug, m.Unit.archived_at.is_(None))
    ).scalar()
    if found is None:
        raise NotFound("unit")
    parents = unit_parents(session, found)
    scorecard = business_scorecard(session, viewer, found)
    children = session.execute(
        select(m.Unit.slug, m.Unit.name, m.Unit.kind)
        .where(m.Unit.parent_id == found.id, m.Unit.archived_at.is_(None))
        .order_by(m.Unit.name)
    ).all()
    people = paginate(
        session,
        select(
            m.Person.slug,
            m.Person.name,
            m.Person.position,
            m.ScorecardEvaluation.score,
            m.ScorecardEvaluation.items_off_track,
        )
        .outerjoin(m.ScorecardEvaluation, m.ScorecardEvaluation.person_id == m.Person.id)
        .where(m.Person.unit_id == found.id, m.Person.archived_at.is_(None), person_visible(viewer))
        .order_by(m.Person.name),
        page,
    )
    return render(
        request,
        "pages/unit.html",
        title=found.name,
        unit=found,
        parents=parents,
        scorecard=scorecard,
        children=children,
        people=people,
    )
