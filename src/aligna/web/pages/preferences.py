"""My notifications: per event kind, hear of it immediately, in a digest, or not at all."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from aligna.channels.preferences import KINDS, PreferenceError, set_preferences
from aligna.web.access import Viewer
from aligna.web.deps import Csrf, CurrentViewer, DbSession, Forbidden
from aligna.web.pages.common import render
from aligna.web.views.preferences import preference_rows

router = APIRouter(include_in_schema=False)
PATH = "/me/notifications"  # messages' footers link here: keep it


def _person(viewer: Viewer) -> int:
    if viewer.person_id is None:
        raise Forbidden()
    return viewer.person_id


async def _form_choices(request: Request) -> dict[str, str]:
    """The form's choice per kind (kinds it leaves out keep their choice)."""
    form = await request.form(max_fields=len(KINDS) + 5)
    choices: dict[str, str] = {}
    for kind in KINDS:
        value: Any = form.get(kind)
        if isinstance(value, str):
            choices[kind] = value[:20]
    return choices


def _page(
    request: Request,
    session: DbSession,
    person_id: int,
    *,
    status_code: int = 200,
    saved: bool = False,
    error: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        "pages/preferences.html",
        status_code=status_code,
        title="My notifications",
        rows=preference_rows(session, person_id),
        saved=saved,
        error=error,
    )


@router.get(PATH, response_class=HTMLResponse)
def notifications(
    request: Request, viewer: CurrentViewer, session: DbSession, saved: int = 0
) -> Response:
    """The viewer's notification preferences, one row per event kind, and the digest."""
    return _page(request, session, _person(viewer), saved=bool(saved))


@router.post(PATH, response_class=HTMLResponse, dependencies=[Csrf])
def save_notifications(
    request: Request,
    viewer: CurrentViewer,
    session: DbSession,
    choices: Annotated[dict[str, str], Depends(_form_choices)],
) -> Response:
    """Save the viewer's choices; a refused value shows the form again with the reason."""
    person = _person(viewer)
    try:
        set_preferences(session, person, dict(choices))
        session.commit()
    except PreferenceError as exc:
        session.rollback()
        message = str(exc)
        return _page(
            request, session, person, status_code=422, error=message[:1].upper() + message[1:]
        )
    return RedirectResponse(f"{PATH}?saved=1", status_code=303)
