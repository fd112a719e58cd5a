"""The initiative page: milestones on a timeline, health, contributions to the vision."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from aligna import model as m
from aligna.web.access import initiative_visible, person_visible
from aligna.web.deps import Context, CurrentViewer, DbSession, NotFound
from aligna.web.pages.common import render
from aligna.web.views.sight import lines_of_sight, objective_index

router = APIRouter(include_in_schema=False)


@router.get("/initiatives/{slug}", response_class=HTMLResponse)
def initiative(
    slug: str, request: Request, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> Response:
    """An initiative the viewer may see, with its milestones, health and contributions."""
    found = session.execute(
        select(m.Initiative).where(
            m.Initiative.slug == slug,
            m.Initiative.archived_at.is_(None),
            initiative_visible(viewer),
        )
    ).scalar()
    if found is None:
        raise NotFound("initiative")
    health = session.execute(
        select(m.InitiativeEvaluation).where(m.InitiativeEvaluation.initiative_id == found.id)
    ).scalar()
    milestones = (
        session.execute(
            select(m.Milestone)
            .where(m.Milestone.initiative_id == found.id)
            .order_by(m.Milestone.due, m.Milestone.id)
        )
        .scalars()
        .all()
    )
    people = session.execute(
        select(m.Person.id, m.Person.slug, m.Person.name).where(
            m.Person.id.in_(
                select(m.InitiativeContributor.person_id).where(
                    m.InitiativeContributor.initiative_id == found.id
                )
            )
            | (m.Person.id == found.owner_id)
        )
    ).all()
    visible = set(
        session.execute(
            select(m.Person.id).where(
                m.Person.id.in_([p.id for p in people]), person_visible(viewer)
            )
        ).scalars()
    )
    owner = next((p for p in people if p.id == found.owner_id), None)
    contributors = [p for p in people if p.id != found.owner_id]
    contributions = session.execute(
        select(
            m.Objective.slug,
            m.Objective.name,
            m.VisionTarget.slug,
            m.VisionTarget.name,
            m.InitiativeContribution.weight,
            m.InitiativeContribution.expected,
        )
        .outerjoin(m.Objective, m.Objective.id == m.InitiativeContribution.objective_id)
        .outerjoin(m.VisionTarget, m.VisionTarget.id == m.InitiativeContribution.vision_target_id)
        .where(m.InitiativeContribution.initiative_id == found.id)
        .order_by(m.InitiativeContribution.position)
    ).all()
    sight = lines_of_sight(session, objective_index(session), initiatives=[found.id])
    return render(
        request,
        "pages/initiative.html",
        title=found.name,
        initiative=found,
        health=health,
        milestones=milestones,
        owner=owner,
        contributors=contributors,
        visible=visible,
        contributions=contributions,
        sight=sight.get(("initiative", found.id), []),
        today=ctx.today(),
    )
