"""The exception page: what is wrong, where it stands on the reporting line, its timeline, and
the forms to acknowledge it or turn it into a commitment."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from aligna.channels.acknowledgement import ExceptionActionError, acknowledge, commit
from aligna.web.access import Viewer
from aligna.web.context import WebContext
from aligna.web.deps import Context, Csrf, CurrentViewer, DbSession, Forbidden, NotFound
from aligna.web.pages.common import render
from aligna.web.views.exception import ExceptionView, find_exception, viewer_action

router = APIRouter(include_in_schema=False)

DONE = {
    "acknowledged": "Acknowledged: it stops climbing the reporting line.",
    "committed": "Turned into a commitment: it stops climbing until the deadline.",
}
# Generous: the service says in words when a note is too long; the form must reach it.
TextField = Annotated[str, Form(max_length=20000)]


def _page(
    request: Request,
    view: ExceptionView,
    ctx: WebContext,
    *,
    status_code: int = 200,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "pages/exception.html",
        status_code=status_code,
        title=f"{view.kind_words}: {view.item_name}",
        x=view,
        today=ctx.today(),
        notice=notice,
        errors=errors or {},
        form=form or {},
    )


def _actionable(session: DbSession, viewer: Viewer, exception_id: int) -> ExceptionView:
    view = find_exception(session, viewer, exception_id)
    if view is None:
        raise NotFound("exception")
    if not view.may_act:
        raise Forbidden()
    return view


@router.get("/exceptions/{exception_id}", response_class=HTMLResponse)
def exception_page(
    exception_id: int,
    request: Request,
    viewer: CurrentViewer,
    session: DbSession,
    ctx: Context,
    done: str | None = None,
) -> Response:
    """An exception the viewer may see, with its timeline and, for those who act, the forms."""
    view = find_exception(session, viewer, exception_id)
    if view is None:
        raise NotFound("exception")
    return _page(request, view, ctx, notice=DONE.get(done or ""))


@router.post(
    "/exceptions/{exception_id}/acknowledge", response_class=HTMLResponse, dependencies=[Csrf]
)
def acknowledge_form(
    exception_id: int,
    request: Request,
    viewer: CurrentViewer,
    session: DbSession,
    ctx: Context,
    note: TextField = "",
) -> Response:
    """Acknowledge the exception with a note (the owner, a manager above them, an admin)."""
    view = _actionable(session, viewer, exception_id)
    try:
        acknowledge(
            session,
            exception_id=view.id,
            by=viewer_action(session, viewer),
            note=note,
            now=ctx.now(),
        )
        session.commit()
    except ExceptionActionError as exc:
        session.rollback()
        return _refused(request, session, viewer, ctx, view, "acknowledge", exc, {"note": note})
    return RedirectResponse(f"/exceptions/{view.id}?done=acknowledged#timeline", status_code=303)


@router.post(
    "/exceptions/{exception_id}/commitment", response_class=HTMLResponse, dependencies=[Csrf]
)
def commitment_form(
    exception_id: int,
    request: Request,
    viewer: CurrentViewer,
    session: DbSession,
    ctx: Context,
    commitment: TextField = "",
    deadline: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Turn the exception into a commitment: what will be done, by which day."""
    view = _actionable(session, viewer, exception_id)
    form = {"commitment": commitment, "deadline": deadline}
    try:
        day = _day(deadline)
        commit(
            session,
            exception_id=view.id,
            by=viewer_action(session, viewer),
            commitment=commitment,
            deadline=day,
            today=ctx.today(),
            now=ctx.now(),
        )
        session.commit()
    except ExceptionActionError as exc:
        session.rollback()
        return _refused(request, session, viewer, ctx, view, "commitment", exc, form)
    return RedirectResponse(f"/exceptions/{view.id}?done=committed#timeline", status_code=303)


def _day(text: str) -> date:
    """The deadline from the form's date input."""
    if not text.strip():
        raise ExceptionActionError("give the deadline: the day it will be done by")
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ExceptionActionError(
            f"the deadline '{text.strip()}' is not a date, expected YYYY-MM-DD"
        ) from None


def _refused(
    request: Request,
    session: DbSession,
    viewer: Viewer,
    ctx: WebContext,
    view: ExceptionView,
    which: str,
    error: ExceptionActionError,
    form: dict[str, Any],
) -> HTMLResponse:
    """The page again with the form's error: 409 when the exception was resolved meanwhile."""
    fresh = find_exception(session, viewer, view.id) or view
    message = str(error)
    return _page(
        request,
        fresh,
        ctx,
        status_code=409 if not fresh.is_open else 422,
        errors={which: message[:1].upper() + message[1:] + "."},
        form=form,
    )
