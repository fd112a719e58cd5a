"""The unit page: its business scorecard, the units below it, and its people (for those allowed)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import and_, func, literal, select

from aligna import model as m
from aligna.web.access import kpi_visible, person_visible
from aligna.web.deps import CurrentViewer, DbSession, NotFound
from aligna.web.pages.common import paginate, render

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
    parents = _parents(session, found)
    e = m.KpiEvaluation
    # The unit's own slice where the KPI is broken down by its kind, else the whole KPI.
    own_slice = and_(e.kpi_id == m.Kpi.id, e.latest.is_(True), e.unit_id == found.id)
    whole = and_(e.kpi_id == m.Kpi.id, e.latest.is_(True), e.unit_id.is_(None))
    scorecard = session.execute(
        select(
            m.Kpi.slug,
            m.Kpi.name,
            m.Kpi.unit_of_measure,
            m.BusinessScorecardItem.weight,
            m.Kpi.breakdown_unit_kind,
            func.coalesce(e.status, "no_data").label("status"),
            e.score,
            e.actual,
            e.target,
            e.period,
            e.unit_id,
        )
        .join(m.BusinessScorecardItem, m.BusinessScorecardItem.kpi_id == m.Kpi.id)
        .outerjoin(
            e,
            (m.Kpi.breakdown_unit_kind == found.kind) & own_slice
            | (
                (m.Kpi.breakdown_unit_kind.is_(None) | (m.Kpi.breakdown_unit_kind != found.kind))
                & whole
            ),
        )
        .where(
            m.BusinessScorecardItem.unit_id == found.id,
            m.Kpi.archived_at.is_(None),
            kpi_visible(viewer),
        )
        .order_by(m.BusinessScorecardItem.position)
    ).all()
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


def _parents(session: DbSession, unit: m.Unit) -> list[m.Unit]:
    """The units above, from the top down, in one statement (however deep the tree)."""
    up = select(m.Unit.id, m.Unit.parent_id, literal(0).label("depth")).where(
        m.Unit.id == unit.parent_id
    )
    chain = up.cte("parents", recursive=True)
    chain = chain.union_all(
        select(m.Unit.id, m.Unit.parent_id, (chain.c.depth + 1).label("depth")).where(
            m.Unit.id == chain.c.parent_id, chain.c.depth < 64
        )
    )
    return list(
        session.execute(
            select(m.Unit).join(chain, chain.c.id == m.Unit.id).order_by(chain.c.depth.desc())
        ).scalars()
    )
