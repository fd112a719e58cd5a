"""Strategic initiatives: the list with filters, one initiative with milestones and health."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.web.access import Viewer, initiative_visible, unit_subtree
from aligna.web.api.kpis import unit_id_of
from aligna.web.api.pagination import Page, Paging, fetch_page, page_of
from aligna.web.api.records import PersonRef, Ref, SightStep, sight
from aligna.web.deps import Context, CurrentViewer, DbSession, NotFound
from aligna.web.views.initiative import initiative_contributions, initiative_people
from aligna.web.views.map import initiative_rows
from aligna.web.views.sight import lines_of_sight, objective_index

router = APIRouter(tags=["initiatives"])
Health = Literal["on_track", "at_risk", "off_track", "no_data"]


class InitiativeSummary(BaseModel):
    """An initiative in a list, with its health."""

    id: str
    name: str
    mission_gap: str | None = Field(description="The mission-gap question it answers, if any.")
    status: Health = Field(description="Its health from its milestones.")
    percent_complete: float | None
    end: date
    owner: str = Field(description="The owner's name.")


class MilestoneRecord(BaseModel):
    """A milestone with its due date and progress."""

    id: str
    name: str
    due: date
    percent_complete: float
    weight: float | None
    overdue: bool


class HealthRecord(BaseModel):
    """An initiative's health, from its milestones and the time elapsed."""

    status: Health
    score: float | None
    percent_complete: float | None
    time_elapsed: float | None
    overdue_milestones: int
    most_days_overdue: int


class Contribution(BaseModel):
    """An objective or vision target the initiative serves, with its expected contribution."""

    objective: Ref | None
    vision_target: Ref | None
    weight: float
    expected: float | None


class InitiativeDetail(BaseModel):
    """An initiative: people, dates, budget, milestones, health, contributions, line of sight."""

    id: str
    name: str
    description: str
    owner: PersonRef
    contributors: list[PersonRef]
    unit: Ref | None
    start: date
    end: date
    budget: float | None
    budget_unit: str
    mission_gap: str | None
    health: HealthRecord
    milestones: list[MilestoneRecord]
    contributions: list[Contribution]
    line_of_sight: list[list[SightStep]]


@router.get("/initiatives", response_model=Page[InitiativeSummary], summary="List initiatives")
def list_initiatives(
    request: Request,
    response: Response,
    viewer: CurrentViewer,
    session: DbSession,
    paging: Paging,
    status: Annotated[Health | None, Query(description="Health.")] = None,
    unit: Annotated[str | None, Query(description="A unit: initiatives of its subtree.")] = None,
    q: Annotated[str, Query(max_length=200, description="Text in the name.")] = "",
) -> Page[InitiativeSummary]:
    """The initiatives you may see, by name, with their health."""
    unit_id = unit_id_of(session, unit)
    statement = initiative_rows(
        viewer, scope=unit_subtree(session, unit_id) if unit_id else None, query=q.strip()
    ).order_by(m.Initiative.slug)  # after the name: pages need a total order
    if status is not None:
        h = m.InitiativeEvaluation
        statement = statement.where(func.coalesce(h.health, "no_data") == status)
    rows, total = fetch_page(session, statement, paging)
    items = [
        InitiativeSummary(
            id=r.slug,
            name=r.name,
            mission_gap=str(r.mission_gap) if r.mission_gap else None,
            status=r.status,
            percent_complete=r.percent_complete,
            end=r.end_date,
            owner=r.owner,
        )
        for r in rows
    ]
    return page_of(request, response, items, paging, total)


@router.get("/initiatives/{initiative}", response_model=InitiativeDetail, summary="One initiative")
def get_initiative(
    initiative: str, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> InitiativeDetail:
    """An initiative with its milestones, health, contributions and line of sight."""
    found = session.execute(
        select(m.Initiative).where(
            m.Initiative.slug == initiative,
            m.Initiative.archived_at.is_(None),
            initiative_visible(viewer),
        )
    ).scalar()
    if found is None:
        raise NotFound("initiative")
    today = ctx.today()
    h = session.execute(
        select(m.InitiativeEvaluation).where(m.InitiativeEvaluation.initiative_id == found.id)
    ).scalar()
    milestones = session.execute(
        select(m.Milestone)
        .where(m.Milestone.initiative_id == found.id)
        .order_by(m.Milestone.due, m.Milestone.position, m.Milestone.id)
    ).scalars()
    owner, contributors = _people(session, viewer, found)
    unit = session.get(m.Unit, found.unit_id) if found.unit_id else None
    paths = lines_of_sight(session, objective_index(session), initiatives=[found.id])
    return InitiativeDetail(
        id=found.slug,
        name=found.name,
        description=found.description,
        owner=owner,
        contributors=contributors,
        unit=Ref(id=unit.slug, name=unit.name) if unit else None,
        start=found.start_date,
        end=found.end_date,
        budget=found.budget,
        budget_unit=found.budget_unit,
        mission_gap=str(found.mission_gap) if found.mission_gap else None,
        health=HealthRecord(
            status=h.health if h else "no_data",  # type: ignore[arg-type]
            score=h.score if h else None,
            percent_complete=h.percent_complete if h else None,
            time_elapsed=h.time_elapsed if h else None,
            overdue_milestones=h.overdue_milestones if h else 0,
            most_days_overdue=h.most_days_overdue if h else 0,
        ),
        milestones=[
            MilestoneRecord(
                id=x.slug,
                name=x.name,
                due=x.due,
                percent_complete=x.percent_complete,
                weight=x.weight,
                overdue=x.due < today and x.percent_complete < 100,
            )
            for x in milestones
        ],
        contributions=_contributions(session, found.id),
        line_of_sight=sight(paths.get(("initiative", found.id), [])),
    )


def _people(
    session: Session, viewer: Viewer, initiative: m.Initiative
) -> tuple[PersonRef, list[PersonRef]]:
    """The owner and contributors, each marked visible when /people/{id} answers for you."""
    owner, contributors = initiative_people(session, viewer, initiative)

    def ref(p: dict[str, Any]) -> PersonRef:
        return PersonRef(id=p["slug"], name=p["name"], position=p["position"], visible=p["visible"])

    return (
        ref(owner) if owner else PersonRef(id="", name="nobody", visible=False),
        [ref(p) for p in contributors],
    )


def _contributions(session: Session, initiative_id: int) -> list[Contribution]:
    return [
        Contribution(
            objective=Ref(id=r.objective, name=r.objective_name) if r.objective else None,
            vision_target=Ref(id=r.vision_target, name=r.vision_target_name)
            if r.vision_target
            else None,
            weight=r.weight,
            expected=r.expected,
        )
        for r in initiative_contributions(session, initiative_id)
    ]
