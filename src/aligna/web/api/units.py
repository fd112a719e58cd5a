"""Units: the organisation's tree, and one unit with its business scorecard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from aligna import model as m
from aligna.web.access import Viewer, person_visible
from aligna.web.api.kpis import unit_id_of
from aligna.web.api.pagination import Page, Paging, fetch_page, page_of
from aligna.web.api.records import Ref, Status
from aligna.web.deps import CurrentViewer, DbSession, NotFound
from aligna.web.views.search import like_pattern
from aligna.web.views.unit import business_scorecard, unit_parents

router = APIRouter(tags=["units"])


class UnitSummary(BaseModel):
    """A unit in the tree."""

    id: str
    name: str
    kind: str = Field(description="company, division, department, team ...")
    parent: str | None


class BusinessItem(BaseModel):
    """A KPI on a unit's business scorecard: the unit's own slice when it has one."""

    kpi: str
    name: str
    unit_of_measure: str
    weight: float
    slice: str | None = Field(description="The unit of the slice shown; null: the whole KPI.")
    status: Status
    score: float | None
    period: str | None
    actual: float | None
    target: float | None


class UnitDetail(UnitSummary):
    """A unit: where it sits, its sub-units, its business scorecard, how many people."""

    parents: list[Ref] = Field(description="From the top of the tree down to its parent.")
    children: list[UnitSummary]
    business_scorecard: list[BusinessItem] = Field(description="The KPIs you may see.")
    people: int = Field(description="People of this unit you may see: /people?unit=")


@router.get("/units", response_model=Page[UnitSummary], summary="List units")
def list_units(
    request: Request,
    response: Response,
    viewer: CurrentViewer,
    session: DbSession,
    paging: Paging,
    parent: Annotated[str | None, Query(description="Only the units right below it.")] = None,
    kind: Annotated[str | None, Query(description="Only units of this kind.")] = None,
    q: Annotated[str, Query(max_length=200, description="Text in the name or id.")] = "",
) -> Page[UnitSummary]:
    """The organisation's units (everyone signed in sees the structure)."""
    up = aliased(m.Unit)
    statement = (
        select(m.Unit.slug, m.Unit.name, m.Unit.kind, up.slug)
        .outerjoin(up, up.id == m.Unit.parent_id)
        .where(m.Unit.archived_at.is_(None))
        .order_by(m.Unit.name, m.Unit.slug)
    )
    parent_id = unit_id_of(session, parent)
    if parent_id is not None:
        statement = statement.where(m.Unit.parent_id == parent_id)
    if kind:
        statement = statement.where(m.Unit.kind == kind)
    if q.strip():
        pattern = like_pattern(q.strip())
        statement = statement.where(
            m.Unit.name.ilike(pattern, escape="\\") | m.Unit.slug.ilike(pattern, escape="\\")
        )
    rows, total = fetch_page(session, statement, paging)
    items = [UnitSummary(id=s, name=n, kind=k, parent=p) for s, n, k, p in rows]
    return page_of(request, response, items, paging, total)


@router.get("/units/{unit}", response_model=UnitDetail, summary="One unit")
def get_unit(unit: str, viewer: CurrentViewer, session: DbSession) -> UnitDetail:
    """A unit with its parents, sub-units and business scorecard."""
    found = session.execute(
        select(m.Unit).where(m.Unit.slug == unit, m.Unit.archived_at.is_(None))
    ).scalar()
    if found is None:
        raise NotFound("unit")
    children = session.execute(
        select(m.Unit.slug, m.Unit.name, m.Unit.kind)
        .where(m.Unit.parent_id == found.id, m.Unit.archived_at.is_(None))
        .order_by(m.Unit.name)
    ).all()
    people = session.execute(
        select(func.count()).where(
            m.Person.unit_id == found.id, m.Person.archived_at.is_(None), person_visible(viewer)
        )
    ).scalar_one()
    parents = _parents(session, found)
    return UnitDetail(
        id=found.slug,
        name=found.name,
        kind=found.kind,
        parent=parents[-1].id if parents else None,
        parents=parents,
        children=[UnitSummary(id=s, name=n, kind=k, parent=found.slug) for s, n, k in children],
        business_scorecard=_business_scorecard(session, viewer, found),
        people=people,
    )


def _business_scorecard(session: Session, viewer: Viewer, unit: m.Unit) -> list[BusinessItem]:
    """The unit's KPIs: its own slice where a KPI is broken down by its kind, else the whole."""
    return [
        BusinessItem(
            kpi=r.slug,
            name=r.name,
            unit_of_measure=r.unit_of_measure,
            weight=r.weight,
            slice=r.slice,
            status=r.status,
            score=r.score,
            period=r.period,
            actual=r.actual,
            target=r.target,
        )
        for r in business_scorecard(session, viewer, unit)
    ]


def _parents(session: Session, unit: m.Unit) -> list[Ref]:
    """The unit's ancestors, top first, in one recursive statement."""
    return [Ref(id=s, name=n) for s, n in unit_parents(session, unit)]
