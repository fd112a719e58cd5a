"""Following KPIs and initiatives: hear of them like their influencers do."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from aligna.web.access import Viewer
from aligna.web.api.problems import NO_PERSON, no_person
from aligna.web.context import WebContext
from aligna.web.deps import Context, Csrf, CurrentViewer, DbSession, NotFound
from aligna.web.views.follow import find_followable, set_following

router = APIRouter()


class FollowState(BaseModel):
    """Whether you follow an item, after the request."""

    kind: str = Field(description="kpi or initiative.")
    id: str = Field(description="The item's id.")
    following: bool
    changed: bool = Field(description="False when it already was so (repeating is harmless).")


def _set(
    session: Session, viewer: Viewer, ctx: WebContext, kind: str, slug: str, following: bool
) -> FollowState:
    if viewer.person_id is None:
        raise no_person()
    item = find_followable(session, viewer, kind, slug)
    if item is None:
        raise NotFound("KPI" if kind == "kpi" else "initiative")
    changed = set_following(
        session,
        person_id=viewer.person_id,
        kind=kind,
        item_id=item.id,
        following=following,
        now=ctx.now(),
    )
    session.commit()
    return FollowState(kind=kind, id=item.slug, following=following, changed=changed)


WRITE = {"dependencies": [Csrf], "responses": NO_PERSON, "response_model": FollowState}


@router.put("/kpis/{kpi}/follow", summary="Follow a KPI", tags=["kpis"], **WRITE)
def follow_kpi(kpi: str, viewer: CurrentViewer, session: DbSession, ctx: Context) -> FollowState:
    """Follow a KPI you may see; following it again changes nothing."""
    return _set(session, viewer, ctx, "kpi", kpi, True)


@router.delete("/kpis/{kpi}/follow", summary="Stop following a KPI", tags=["kpis"], **WRITE)
def unfollow_kpi(kpi: str, viewer: CurrentViewer, session: DbSession, ctx: Context) -> FollowState:
    """Stop following a KPI; harmless when you did not follow it."""
    return _set(session, viewer, ctx, "kpi", kpi, False)


@router.put(
    "/initiatives/{initiative}/follow",
    summary="Follow an initiative",
    tags=["initiatives"],
    **WRITE,
)
def follow_initiative(
    initiative: str, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> FollowState:
    """Follow an initiative you may see; following it again changes nothing."""
    return _set(session, viewer, ctx, "initiative", initiative, True)


@router.delete(
    "/initiatives/{initiative}/follow",
    summary="Stop following an initiative",
    tags=["initiatives"],
    **WRITE,
)
def unfollow_initiative(
    initiative: str, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> FollowState:
    """Stop following an initiative; harmless when you did not follow it."""
    return _set(session, viewer, ctx, "initiative", initiative, False)
