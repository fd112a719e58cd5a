"""Performance exceptions about the KPIs and initiatives you may see."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import aliased

from aligna import model as m
from aligna.web.access import initiative_visible, kpi_visible
from aligna.web.api.pagination import Page, Paging, fetch_page, page_of
from aligna.web.deps import CurrentViewer, DbSession

router = APIRouter(tags=["exceptions"])
Kind = Literal["off_track", "adverse_signal", "overdue_milestone", "stale"]


class ExceptionRecord(BaseModel):
    """A performance exception, as `aligna exceptions --format json` gives it."""

    id: int
    kind: str = Field(description="off_track, adverse_signal, overdue_milestone or stale.")
    kpi: str | None
    unit: str | None
    initiative: str | None
    period: str | None
    owner: str | None = Field(description="The person it was escalated to first.")
    detail: str
    opened_at: datetime
    closed_at: datetime | None


@router.get("/exceptions", response_model=Page[ExceptionRecord], summary="Performance exceptions")
def list_exceptions(
    request: Request,
    response: Response,
    viewer: CurrentViewer,
    session: DbSession,
    paging: Paging,
    state: Annotated[Literal["open", "all"], Query(description="open, or all.")] = "open",
    kind: Annotated[Kind | None, Query(description="Only this kind.")] = None,
    kpi: Annotated[str | None, Query(description="Only this KPI's.")] = None,
    initiative: Annotated[str | None, Query(description="Only this initiative's.")] = None,
) -> Page[ExceptionRecord]:
    """Exceptions about items you may see, open ones first, newest first."""
    x = m.PerformanceException
    item = aliased(m.Kpi)
    project = aliased(m.Initiative)
    unit = aliased(m.Unit)
    owner = aliased(m.Person)
    statement = (
        select(
            x,
            item.slug.label("kpi"),
            project.slug.label("initiative"),
            unit.slug.label("unit"),
            owner.slug.label("owner"),
        )
        .outerjoin(item, item.id == x.kpi_id)
        .outerjoin(project, project.id == x.initiative_id)
        .outerjoin(unit, unit.id == x.unit_id)
        .outerjoin(owner, owner.id == x.owner_id)
        .where(
            x.kpi_id.is_(None) | kpi_visible(viewer, item),
            x.initiative_id.is_(None) | initiative_visible(viewer, project),
        )
        .order_by(x.closed_at.is_not(None), x.opened_at.desc(), x.id.desc())
    )
    if state == "open":
        statement = statement.where(x.closed_at.is_(None))
    if kind is not None:
        statement = statement.where(x.kind == kind)
    # Filters on visible exceptions' fields: an unknown and a hidden item both match none.
    if kpi is not None:
        statement = statement.where(item.slug == kpi)
    if initiative is not None:
        statement = statement.where(project.slug == initiative)
    rows, total = fetch_page(session, statement, paging)
    items = [
        ExceptionRecord(
            id=r[0].id,
            kind=r[0].kind,
            kpi=r.kpi,
            unit=r.unit,
            initiative=r.initiative,
            period=r[0].period,
            owner=r.owner,
            detail=r[0].detail,
            opened_at=r[0].opened_at,
            closed_at=r[0].closed_at,
        )
        for r in rows
    ]
    return page_of(request, response, items, paging, total)
