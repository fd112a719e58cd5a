"""The Follow / Following toggle of KPI and initiative pages (a plain form; htmx swaps it)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from aligna.web.access import Viewer
from aligna.web.context import WebContext
from aligna.web.deps import Context, Csrf, CurrentViewer, DbSession, Forbidden, NotFound
from aligna.web.pages.common import is_htmx, render
from aligna.web.views.follow import find_followable, set_following

router = APIRouter(include_in_schema=False)


def _toggle(
    request: Request,
    session: DbSession,
    viewer: Viewer,
    ctx: WebContext,
    kind: str,
    slug: str,
    following: bool,
) -> Response:
    if viewer.person_id is None:
        raise Forbidden()  # following is a person's: an account without one cannot
    item = find_followable(session, viewer, kind, slug)
    if item is None:
        raise NotFound("KPI" if kind == "kpi" else "initiative")
    set_following(
        session,
        person_id=viewer.person_id,
        kind=kind,
        item_id=item.id,
        following=following,
        now=ctx.now(),
    )
    session.commit()
    if is_htmx(request):
        return render(
            request,
            "partials/follow.html",
            follow_item=item,
            following=following,
            inbox_unread=None,
        )
    return RedirectResponse(item.path, status_code=303)


@router.post("/kpis/{slug}/follow", response_class=HTMLResponse, dependencies=[Csrf])
def follow_kpi(
    slug: str, request: Request, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> Response:
    """Follow a KPI: hear of it like an influencer."""
    return _toggle(request, session, viewer, ctx, "kpi", slug, True)


@router.post("/kpis/{slug}/unfollow", response_class=HTMLResponse, dependencies=[Csrf])
def unfollow_kpi(
    slug: str, request: Request, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> Response:
    """Stop following a KPI."""
    return _toggle(request, session, viewer, ctx, "kpi", slug, False)


@router.post("/initiatives/{slug}/follow", response_class=HTMLResponse, dependencies=[Csrf])
def follow_initiative(
    slug: str, request: Request, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> Response:
    """Follow an initiative: hear of it like an influencer."""
    return _toggle(request, session, viewer, ctx, "initiative", slug, True)


@router.post("/initiatives/{slug}/unfollow", response_class=HTMLResponse, dependencies=[Csrf])
def unfollow_initiative(
    slug: str, request: Request, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> Response:
    """Stop following an initiative."""
    return _toggle(request, session, viewer, ctx, "initiative", slug, False)
