"""Who is asking: the session cookie (signed, HttpOnly, SameSite) or an API bearer token."""

from __future__ import annotations

from fastapi import Request, Response
from itsdangerous import BadSignature, Signer
from sqlalchemy import select
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.web.access import Viewer, load_viewer
from aligna.web.auth.sessions import resolve_session
from aligna.web.auth.tokens import resolve_api_token
from aligna.web.context import WebContext

SESSION_COOKIE = "aligna_session"
ANONYMOUS_CSRF_COOKIE = "aligna_csrf"


def signer(context: WebContext, purpose: str) -> Signer:
    """A signer of cookie values for one purpose (a value signed for one is refused by another)."""
    return Signer(context.secret, salt=f"aligna.{purpose}")


def set_session_cookie(response: Response, context: WebContext, token: str) -> None:
    """Send the session cookie: signed, HttpOnly, SameSite=Lax, Secure over https."""
    response.set_cookie(
        SESSION_COOKIE,
        signer(context, "session").sign(token).decode(),
        httponly=True,
        samesite="lax",
        secure=context.secure_cookies,
        max_age=int(context.settings.session_max_days * 86400),
        path="/",
    )


def clear_session_cookie(response: Response, context: WebContext) -> None:
    """Forget the session cookie in the browser."""
    response.delete_cookie(SESSION_COOKIE, path="/", secure=context.secure_cookies, httponly=True)


def session_token(request: Request, context: WebContext) -> str | None:
    """The raw session token from the cookie, if its signature holds."""
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    try:
        return signer(context, "session").unsign(value).decode()
    except BadSignature:
        return None


def identify(request: Request, session: Session, context: WebContext) -> Viewer | None:
    """The viewer behind a request, with request.state.csrf_token set for cookie sessions."""
    from datetime import timedelta

    now = context.now()
    header = request.headers.get("authorization", "")
    account: m.Account | None = None
    if header.lower().startswith("bearer "):
        found = resolve_api_token(session=session, token=header[7:].strip(), now=now)
        if found is None:
            return None
        account = found[1]
    else:
        token = session_token(request, context)
        if token is None:
            return None
        resolved = resolve_session(
            session=session,
            token=token,
            now=now,
            idle=timedelta(hours=context.settings.session_idle_hours),
            max_age=timedelta(days=context.settings.session_max_days),
        )
        if resolved is None:
            return None
        web_session, account = resolved
        request.state.csrf_token = web_session.csrf_token
    session.commit()  # the sliding expiry or the token's last use
    roles = frozenset(
        str(r)
        for r in session.execute(
            select(m.AccountRole.role).where(m.AccountRole.account_id == account.id)
        ).scalars()
    )
    viewer = load_viewer(session, account_id=account.id, person_id=account.person_id, roles=roles)
    request.state.viewer_name = viewer.name or account.email
    return viewer
