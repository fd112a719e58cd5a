"""The inbox page: a person's messages, newest first; open one, mark one or all as read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from aligna.web.access import Viewer
from aligna.web.deps import Context, Csrf, CurrentViewer, DbSession, Forbidden, NotFound
from aligna.web.pages.common import render
from aligna.web.views.inbox import inbox_page, item_link, mark_all_read, mark_items_read

router = APIRouter(include_in_schema=False)


def _person(viewer: Viewer) -> int:
    """The viewer's person: an account without one has no inbox."""
    if viewer.person_id is None:
        raise Forbidden()
    return viewer.person_id


def _back(page: int) -> str:
    return "/inbox" if page <= 1 else f"/inbox?page={page}"


def _safe_link(link: str) -> str:
    """A message's link is a path inside aligna; anything else goes to the home page."""
    return link if link.startswith("/") and not link.startswith("//") else "/"


@router.get("/inbox", response_class=HTMLResponse)
def inbox(
    request: Request,
    viewer: CurrentViewer,
    session: DbSession,
    page: int = Query(1, ge=1),
    marked: int | None = Query(None, ge=0),
) -> Response:
    """The viewer's inbox, 50 a page, unread ones marked."""
    found = inbox_page(session, person_id=_person(viewer), page=page)
    return render(
        request,
        "pages/inbox.html",
        title="Inbox",
        nav="inbox",
        inbox=found,
        inbox_unread=found.unread,  # the header's count: already read with the page
        marked=marked,
    )


@router.get("/inbox/{item_id}/open")
def open_item(
    item_id: int, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> RedirectResponse:
    """Mark one of the viewer's own items read and go where it leads."""
    person = _person(viewer)
    link = item_link(session, person_id=person, item_id=item_id)
    if link is None:
        raise NotFound("message")
    mark_items_read(session, person_id=person, item_ids=[item_id], now=ctx.now())
    session.commit()
    return RedirectResponse(_safe_link(link), status_code=303)


@router.post("/inbox/{item_id}/read", dependencies=[Csrf])
def read_one(
    item_id: int,
    viewer: CurrentViewer,
    session: DbSession,
    ctx: Context,
    page: Annotated[int, Form()] = 1,
) -> RedirectResponse:
    """Mark one of the viewer's own items read, then back to the inbox page it was on."""
    person = _person(viewer)
    if item_link(session, person_id=person, item_id=item_id) is None:
        raise NotFound("message")
    mark_items_read(session, person_id=person, item_ids=[item_id], now=ctx.now())
    session.commit()
    return RedirectResponse(_back(page), status_code=303)


@router.post("/inbox/read-all", dependencies=[Csrf])
def read_all(viewer: CurrentViewer, session: DbSession, ctx: Context) -> RedirectResponse:
    """Mark every unread item of the viewer read."""
    changed = mark_all_read(session, person_id=_person(viewer), now=ctx.now())
    session.commit()
    return RedirectResponse(f"/inbox?marked={changed}", status_code=303)
