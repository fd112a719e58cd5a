"""People: the list you may see, one person, and their individual scorecard."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from aligna import model as m
from aligna.evaluate.read import kpi_record
from aligna.web.access import Viewer, person_visible
from aligna.web.api.kpis import unit_id_of
from aligna.web.api.pagination import Page, Paging, fetch_page, page_of
from aligna.web.api.records import (
    EvaluationRecord,
    PersonRef,
    Ref,
    SightStep,
    person_ref,
    sight,
)
from aligna.web.deps import Context, CurrentViewer, DbSession, NotFound
from aligna.web.views.scorecard import ItemView, person_scorecard, reporting_line
from aligna.web.views.search import like_pattern

router = APIRouter(tags=["people"])
FOCUS = 5  # more items than this dilutes focus (DOMAIN.md)


class PersonSummary(BaseModel):
    """A person in a list."""

    id: str
    name: str
    position: str
    unit: Ref


class PersonDetail(PersonSummary):
    """A person: job, unit, reporting line and the score of their scorecard."""

    email: str
    teams: list[Ref] = Field(description="Extra teams beside their own unit.")
    reporting_line: list[PersonRef] = Field(description="Their managers, nearest first.")
    score: float | None
    coverage: float | None


class ScorecardItem(BaseModel):
    """One item of an individual scorecard: a KPI (with its record) or an initiative."""

    kind: Literal["kpi", "initiative"]
    id: str
    name: str
    role: str = Field(description="accountable, contributor or influencer.")
    weight: float
    unit: str | None = Field(description="The unit slice of a broken-down KPI.")
    status: str | None
    score: float | None
    record: EvaluationRecord | None = Field(description="KPIs: the latest closed period's record.")
    percent_complete: float | None = Field(description="Initiatives: from their milestones.")
    time_elapsed: float | None
    end: date | None
    line_of_sight: list[list[SightStep]]


class Scorecard(BaseModel):
    """A person's individual scorecard, with the items you may see."""

    person: PersonRef
    unit: Ref
    score: float | None
    coverage: float | None
    items: list[ScorecardItem]
    hidden_items: int | None = Field(
        description="Your own card only: items on it restricted from you; null for others."
    )
    warning: str | None = Field(description="Set when the card has more than five items.")


def find_person(session: Session, viewer: Viewer, person: str) -> m.Person:
    """A live person the viewer may see; 404 otherwise."""
    found = session.execute(
        select(m.Person).where(
            m.Person.slug == person, m.Person.archived_at.is_(None), person_visible(viewer)
        )
    ).scalar()
    if found is None:
        raise NotFound("person")
    return found


@router.get("/people", response_model=Page[PersonSummary], summary="List people")
def list_people(
    request: Request,
    response: Response,
    viewer: CurrentViewer,
    session: DbSession,
    paging: Paging,
    unit: Annotated[str | None, Query(description="People whose own unit it is.")] = None,
    q: Annotated[str, Query(max_length=200, description="Text in the name or id.")] = "",
) -> Page[PersonSummary]:
    """The people you may see, by name."""
    home = aliased(m.Unit)
    statement = (
        select(m.Person.slug, m.Person.name, m.Person.position, home.slug, home.name)
        .join(home, home.id == m.Person.unit_id)
        .where(m.Person.archived_at.is_(None), person_visible(viewer))
        .order_by(m.Person.name, m.Person.slug)
    )
    unit_id = unit_id_of(session, unit)
    if unit_id is not None:
        statement = statement.where(m.Person.unit_id == unit_id)
    if q.strip():
        pattern = like_pattern(q.strip())
        statement = statement.where(
            m.Person.name.ilike(pattern, escape="\\") | m.Person.slug.ilike(pattern, escape="\\")
        )
    rows, total = fetch_page(session, statement, paging)
    items = [
        PersonSummary(id=slug, name=name, position=position, unit=Ref(id=uslug, name=uname))
        for slug, name, position, uslug, uname in rows
    ]
    return page_of(request, response, items, paging, total)


@router.get("/people/{person}", response_model=PersonDetail, summary="One person")
def get_person(person: str, viewer: CurrentViewer, session: DbSession) -> PersonDetail:
    """A person you may see: job, unit, teams, reporting line and scorecard score."""
    found = find_person(session, viewer, person)
    unit = session.get(m.Unit, found.unit_id)
    teams = session.execute(
        select(m.Unit.slug, m.Unit.name)
        .join(m.TeamMembership, m.TeamMembership.unit_id == m.Unit.id)
        .where(m.TeamMembership.person_id == found.id)
        .order_by(m.TeamMembership.position)
    ).all()
    evaluation = session.execute(
        select(m.ScorecardEvaluation.score, m.ScorecardEvaluation.coverage).where(
            m.ScorecardEvaluation.person_id == found.id
        )
    ).first()
    return PersonDetail(
        id=found.slug,
        name=found.name,
        position=found.position,
        unit=Ref(id=unit.slug, name=unit.name) if unit else Ref(id="", name=""),
        email=found.email,
        teams=[Ref(id=s, name=n) for s, n in teams],
        reporting_line=[
            person_ref(p) for p in reporting_line(session, viewer=viewer, person_id=found.id)
        ],
        score=evaluation.score if evaluation else None,
        coverage=evaluation.coverage if evaluation else None,
    )


@router.get("/people/{person}/scorecard", response_model=Scorecard, summary="A scorecard")
def get_scorecard(
    person: str, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> Scorecard:
    """A person's individual scorecard: each item with its record and line of sight."""
    found = find_person(session, viewer, person)
    card = person_scorecard(session, viewer=viewer, person_id=found.id, today=ctx.today())
    records = _records(session, [i for i in card.items if i.kind == "kpi"])
    own = found.id == viewer.person_id
    # Hidden items count only on the person's own card: others must not learn they exist.
    count = len(card.items) + (card.hidden_items if own else 0)
    return Scorecard(
        person=person_ref(card.person),
        unit=Ref(id=card.unit, name=card.unit_name),
        score=card.score,
        coverage=card.coverage,
        items=[_item(i, records.get((i.id, i.unit))) for i in card.items],
        hidden_items=card.hidden_items if own else None,
        warning=f"{count} items: more than {FOCUS} dilutes focus" if count > FOCUS else None,
    )


def _item(item: ItemView, record: EvaluationRecord | None) -> ScorecardItem:
    return ScorecardItem(
        kind=item.kind,  # type: ignore[arg-type]
        id=item.id,
        name=item.name,
        role=item.role,
        weight=item.weight,
        unit=item.unit,
        status=item.status,
        score=item.score,
        record=record,
        percent_complete=item.percent_complete,
        time_elapsed=item.time_elapsed,
        end=item.end,
        line_of_sight=sight(item.sight),
    )


def _records(
    session: Session, items: list[ItemView]
) -> dict[tuple[str, str | None], EvaluationRecord]:
    """The latest closed record of each KPI item (one statement), with the item's forecast."""
    if not items:
        return {}
    e = m.KpiEvaluation
    slice_unit = aliased(m.Unit)
    forecasts: dict[tuple[str, str | None], Any] = {(i.id, i.unit): i.forecast for i in items}
    rows = session.execute(
        select(e, m.Kpi.slug, slice_unit.slug)
        .join(m.Kpi, m.Kpi.id == e.kpi_id)
        .outerjoin(slice_unit, slice_unit.id == e.unit_id)
        .where(e.latest.is_(True), m.Kpi.slug.in_({i.id for i in items}))
    ).all()
    return {
        (kpi, unit): EvaluationRecord(**kpi_record(row, kpi, unit, forecasts[(kpi, unit)]))
        for row, kpi, unit in rows
        if (kpi, unit) in forecasts
    }
