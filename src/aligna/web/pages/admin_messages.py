"""Admin: the outbox: messages by transport and state, the dead letters, retrying them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from aligna.web.deps import AdminViewer, Context, Csrf, DbSession
from aligna.web.pages.common import render
from aligna.web.views.admin_messages import dead_letters, retry, transport_counts

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
    return render(
        request,
        "admin/messages.html",
        title="Messages",
        nav="admin",
        counts=transport_counts(session),
        dead=dead_letters(session, page),
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
    revived = retry(session, ids=ids, now=ctx.now())
    session.commit()
    return RedirectResponse(f"/admin/messages?retried={revived}", status_code=303)
