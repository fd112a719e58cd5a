"""My scorecard (the home page) and a person's page: their scorecard and reporting line."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from aligna import model as m
from aligna.web.access import person_visible
from aligna.web.deps import Context, CurrentViewer, DbSession, NotFound
from aligna.web.pages.common import render
from aligna.web.views.scorecard import person_scorecard

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def my_scorecard(
    request: Request, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> Response:
    """The signed-in person's own scorecard; accounts without a person start at the map."""
    if viewer.person_id is None:
        return RedirectResponse("/map", status_code=303)
    card = person_scorecard(session, viewer=viewer, person_id=viewer.person_id, today=ctx.today())
    return render(
        request, "pages/scorecard.html", title="My scorecard", nav="scorecard", card=card, own=True
    )


@router.get("/people/{slug}", response_class=HTMLResponse)
def person_page(
    slug: str, request: Request, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> Response:
    """A person's scorecard and reporting line, for those allowed to see them."""
    person_id = session.execute(
        select(m.Person.id).where(
            m.Person.slug == slug, m.Person.archived_at.is_(None), person_visible(viewer)
        )
    ).scalar()
    if person_id is None:
        raise NotFound("person")
    card = person_scorecard(session, viewer=viewer, person_id=person_id, today=ctx.today())
    own = person_id == viewer.person_id
    return render(
        request,
        "pages/scorecard.html",
        title=card.person.name,
        nav="scorecard" if own else "",
        card=card,
        own=own,
    )
