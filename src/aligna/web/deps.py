"""Dependencies of the routes: the shared context, a database session, the viewer, CSRF."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from aligna.web.access import Viewer
from aligna.web.context import WebContext


class NotFound(Exception):
    """Nothing here the viewer may see: a 404 everywhere, whether it exists or not."""

    def __init__(self, what: str = "page") -> None:
        super().__init__(what)
        self.what = what


class SignInRequired(Exception):
    """A page that needs a signed-in person: the browser is sent to the sign-in page."""


class Forbidden(Exception):
    """A signed-in person without the role an action needs (admin pages, writes)."""


class CsrfFailed(Exception):
    """A form or write without the session's CSRF token."""


def get_context(request: Request) -> WebContext:
    """The application's shared state."""
    return request.app.state.aligna  # type: ignore[no-any-return]


def get_session(request: Request) -> Iterator[Session]:
    """A database session for one request, closed after it."""
    with Session(get_context(request).engine) as session:
        # Kept on the request, so the page layout (the inbox count in the header) reads with
        # the same session instead of opening another connection.
        request.state.db_session = session
        yield session


Context = Annotated[WebContext, Depends(get_context)]
DbSession = Annotated[Session, Depends(get_session)]


def optional_viewer(request: Request, session: DbSession) -> Viewer | None:
    """The signed-in viewer (session cookie or API token), or None."""
    from aligna.web.auth.identify import identify

    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    viewer = identify(request, session, get_context(request))
    request.state.viewer = viewer
    return viewer


def required_viewer(viewer: Annotated[Viewer | None, Depends(optional_viewer)]) -> Viewer:
    """The signed-in viewer; without one, pages go to sign-in and the API answers 401."""
    if viewer is None:
        raise SignInRequired()
    return viewer


def admin_viewer(viewer: Annotated[Viewer, Depends(required_viewer)]) -> Viewer:
    """A viewer with the admin role."""
    if not viewer.is_admin:
        raise Forbidden()
    return viewer


OptionalViewer = Annotated[Viewer | None, Depends(optional_viewer)]
CurrentViewer = Annotated[Viewer, Depends(required_viewer)]
AdminViewer = Annotated[Viewer, Depends(admin_viewer)]


async def check_csrf(request: Request, viewer: OptionalViewer) -> None:
    """Refuse a state-changing request that does not carry the session's CSRF token.

    Requests authenticated by an API token (no cookie) need none: a browser cannot be made
    to send one. Forms send `csrf_token`; htmx and scripts the `X-CSRF-Token` header.
    """
    expected = getattr(request.state, "csrf_token", None)
    if expected is None:  # no cookie session: the API token path, or not signed in
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value: Any = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()


Csrf = Depends(check_csrf)
