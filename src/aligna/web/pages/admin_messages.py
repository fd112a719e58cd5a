"""Admin: the outbox: messages by transport and state, the dead letters, retrying them."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from aligna.channels.outbox import retry_dead, transport_counts
from aligna.web.deps import AdminViewer, Context, Csrf, DbSession
from aligna.web.pages.common import paginate, render
from aligna.web.views.admin_messages import dead_letters_query, letter

router = APIRouter(include_in_schema=False)


@router.get("/admin/messages", response_class=HTMLResponse)
def messages(
    request: Request,
    viewer: AdminViewer,
    session: DbSession,
    page: int = Query(1, ge=1),
    retried: int | None = Query(None, ge=0),
) -> Response:
    """Messages pending, sent and dead by transport, and the dead letters to retry."""
    found = paginate(session, dead_letters_query(), page)
    return render(
        request,
        "admin/messages.html",
        title="Messages",
        nav="admin",
        counts=transport_counts(session),
        dead=replace(found, rows=[letter(row) for row in found.rows]),
        retried=retried,
    )


@router.post("/admin/messages/retry", dependencies=[Csrf])
def retry_messages(
    viewer: AdminViewer,
    session: DbSession,
    ctx: Context,
    message: Annotated[int | None, Form()] = None,
    all: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Give one dead letter (or all of them) a fresh set of attempts, due now."""
    ids = None if all or message is None else [message]
    revived = retry_dead(session=session, message_ids=ids, now=ctx.now())
    session.commit()
    return RedirectResponse(f"/admin/messages?retried={revived}", status_code=303)
