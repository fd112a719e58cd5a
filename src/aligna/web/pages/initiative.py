"""The initiative page: milestones on a timeline, health, contributions to the vision."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from aligna import model as m
from aligna.web.access import initiative_visible
from aligna.web.deps import Context, CurrentViewer, DbSession, NotFound
from aligna.web.pages.common import render
from aligna.web.views.follow import Followable, follow_state
from aligna.web.views.initiative import initiative_contributions, initiative_people
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
    owner, contributors = initiative_people(session, viewer, found)
    contributions = initiative_contributions(session, found.id)
    sight = lines_of_sight(session, objective_index(session), initiatives=[found.id])
    follow_item, following = follow_state(
        session, viewer, Followable("initiative", found.id, found.slug, found.name)
    )
    return render(
        request,
        "pages/initiative.html",
        title=found.name,
        initiative=found,
        health=health,
        milestones=milestones,
        owner=owner,
        contributors=contributors,
        contributions=contributions,
        sight=sight.get(("initiative", found.id), []),
        today=ctx.today(),
        follow_item=follow_item,
        following=following,
    )
