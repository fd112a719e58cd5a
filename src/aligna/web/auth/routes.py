"""Sign in and out, reset a password, and manage one's API tokens, in the browser."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature
from sqlalchemy import select

from aligna import model as m
from aligna.web.auth.accounts import set_password
from aligna.web.auth.errors import AccountError, LoginFailed, LoginLimited, TokenInvalid
from aligna.web.auth.identify import (
    ANONYMOUS_CSRF_COOKIE,
    clear_session_cookie,
    session_token,
    set_session_cookie,
    signer,
)
from aligna.web.auth.passwords import MAX_LENGTH
from aligna.web.auth.sessions import authenticate, end_session, hash_token, start_session
from aligna.web.auth.tokens import (
    check_reset_token,
    consume_reset_token,
    create_api_token,
    list_api_tokens,
    revoke_api_token,
)
from aligna.web.deps import Context, Csrf, CsrfFailed, CurrentViewer, DbSession, OptionalViewer
from aligna.web.pages.common import render

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a path on this site may be the page after sign-in (never another host)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _anonymous_csrf(request: Request, ctx: Context) -> str:
    """The double-submit token of a form shown before sign-in (login, reset)."""
    cookie = request.cookies.get(ANONYMOUS_CSRF_COOKIE)
    if cookie:
        try:
            return signer(ctx, "csrf").unsign(cookie).decode()
        except BadSignature:
            pass
    return secrets.token_urlsafe(24)


def _with_csrf_cookie(response: Response, ctx: Context, token: str) -> Response:
    response.set_cookie(
        ANONYMOUS_CSRF_COOKIE,
        signer(ctx, "csrf").sign(token).decode(),
        httponly=True,
        samesite="lax",
        secure=ctx.secure_cookies,
        path="/",
    )
    return response


def _check_anonymous_csrf(request: Request, ctx: Context, sent: str) -> None:
    cookie = request.cookies.get(ANONYMOUS_CSRF_COOKIE)
    try:
        expected = signer(ctx, "csrf").unsign(cookie or "").decode()
    except BadSignature:
        raise CsrfFailed() from None
    if not sent or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def begin_session(request: Request, ctx: Context, session: DbSession, account: m.Account) -> str:
    """Start a session for a signed-in account with the configured expiry (the caller commits
    and sets the cookie): password sign-in and single sign-on alike."""
    token, _ = start_session(
        session=session,
        account=account,
        now=ctx.now(),
        user_agent=request.headers.get("user-agent", ""),
        ip=_client_ip(request),
        idle=timedelta(hours=ctx.settings.session_idle_hours),
        max_age=timedelta(days=ctx.settings.session_max_days),
    )
    return token


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, ctx: Context, viewer: OptionalViewer, next: str = "/") -> Response:
    """The sign-in form (signed-in people go straight on)."""
    if viewer is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    token = _anonymous_csrf(request, ctx)
    response = render(
        request,
        "auth/login.html",
        title="Sign in",
        next=safe_next(next),
        form_token=token,
        error=None,
        oidc_enabled=bool(ctx.settings.oidc_issuer),
        oidc_label=ctx.settings.oidc_button_label,
    )
    return _with_csrf_cookie(response, ctx, token)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    ctx: Context,
    session: DbSession,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=MAX_LENGTH)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password and start a session; the same message for every failure."""
    _check_anonymous_csrf(request, ctx, csrf_token)
    now = ctx.now()
    error, status, retry = None, 200, 0
    try:
        account = authenticate(
            session=session, email=email, password=password, ip=_client_ip(request), now=now
        )
    except LoginLimited as exc:
        error, status, retry = f"{str(exc).capitalize()}.", 429, exc.retry_after_seconds
    except LoginFailed:
        error, status = "Wrong email or password.", 400
    if error is not None:
        session.rollback()
        token = _anonymous_csrf(request, ctx)
        response = render(
            request,
            "auth/login.html",
            status_code=status,
            title="Sign in",
            next=safe_next(next),
            form_token=token,
            error=error,
            email=email,
            oidc_enabled=bool(ctx.settings.oidc_issuer),
            oidc_label=ctx.settings.oidc_button_label,
        )
        if status == 429:
            response.headers["Retry-After"] = str(retry)
        return _with_csrf_cookie(response, ctx, token)
    token = begin_session(request, ctx, session, account)
    session.commit()
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, ctx, token)
    response.delete_cookie(ANONYMOUS_CSRF_COOKIE, path="/")
    return response


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request, ctx: Context, session: DbSession) -> Response:
    """End the session here and in the database."""
    token = session_token(request, ctx)
    if token:
        end_session(session=session, token=token, now=ctx.now())
        session.commit()
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, ctx)
    return response


@router.get("/reset/{token}", response_class=HTMLResponse)
def reset_form(token: str, request: Request, ctx: Context, session: DbSession) -> Response:
    """The form to choose a new password with a reset link."""
    try:
        account = check_reset_token(session=session, token=token, now=ctx.now())
    except TokenInvalid as exc:
        return render(
            request, "auth/reset.html", status_code=400, title="Reset link", invalid=str(exc)
        )
    form_token = _anonymous_csrf(request, ctx)
    response = render(
        request,
        "auth/reset.html",
        title="Choose a password",
        email=account.email,
        form_token=form_token,
        error=None,
    )
    return _with_csrf_cookie(response, ctx, form_token)


@router.post("/reset/{token}", response_class=HTMLResponse)
def reset(
    token: str,
    request: Request,
    ctx: Context,
    session: DbSession,
    password: Annotated[str, Form(max_length=MAX_LENGTH)],
    confirm: Annotated[str, Form(max_length=MAX_LENGTH)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Set the new password (single use), then sign in again."""
    _check_anonymous_csrf(request, ctx, csrf_token)
    error = "The two passwords differ." if password != confirm else None
    if error is None:
        try:
            consume_reset_token(session=session, token=token, new_password=password, now=ctx.now())
            session.commit()
            return RedirectResponse("/login?reset=1", status_code=303)
        except TokenInvalid as exc:
            session.rollback()
            return render(
                request, "auth/reset.html", status_code=400, title="Reset link", invalid=str(exc)
            )
        except AccountError as exc:
            session.rollback()
            error = str(exc)
    form_token = _anonymous_csrf(request, ctx)
    response = render(
        request,
        "auth/reset.html",
        status_code=400,
        title="Choose a password",
        form_token=form_token,
        error=error,
    )
    return _with_csrf_cookie(response, ctx, form_token)


def _account(session: DbSession, viewer: CurrentViewer) -> m.Account:
    account = session.get(m.Account, viewer.account_id)
    assert account is not None
    return account


@router.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> Response:
    """The signed-in account: roles, API tokens, password."""
    account = _account(session, viewer)
    return render(
        request,
        "auth/account.html",
        title="Your account",
        account=account,
        tokens=list_api_tokens(session=session, account=account),
        new_token=None,
        error=None,
        now=ctx.now(),
    )


@router.post("/account/tokens", response_class=HTMLResponse, dependencies=[Csrf])
def new_token(
    request: Request,
    viewer: CurrentViewer,
    session: DbSession,
    ctx: Context,
    name: Annotated[str, Form(max_length=100)],
) -> Response:
    """Create an API token; it is shown once, on this page."""
    account = _account(session, viewer)
    raw, error = None, None
    try:
        raw, _ = create_api_token(session=session, account=account, name=name, now=ctx.now())
        session.commit()
    except AccountError as exc:
        session.rollback()
        error = str(exc)
    return render(
        request,
        "auth/account.html",
        status_code=200 if error is None else 400,
        title="Your account",
        account=account,
        tokens=list_api_tokens(session=session, account=account),
        new_token=raw,
        error=error,
        now=ctx.now(),
    )


@router.post("/account/tokens/{token_id}/revoke", dependencies=[Csrf])
def revoke_token(
    token_id: int, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> Response:
    """Revoke one of the account's API tokens."""
    revoke_api_token(
        session=session, account=_account(session, viewer), token_id=token_id, now=ctx.now()
    )
    session.commit()
    return RedirectResponse("/account", status_code=303)


@router.post("/account/password", response_class=HTMLResponse, dependencies=[Csrf])
def change_password(
    request: Request,
    viewer: CurrentViewer,
    session: DbSession,
    ctx: Context,
    password: Annotated[str, Form(max_length=MAX_LENGTH)],
    confirm: Annotated[str, Form(max_length=MAX_LENGTH)],
) -> Response:
    """Set a new password; every other session of the account ends."""
    account = _account(session, viewer)
    error = "The two passwords differ." if password != confirm else None
    if error is None:
        token = session_token(request, ctx) or ""
        keep = session.execute(
            select(m.WebSession.id).where(m.WebSession.token_hash == hash_token(token))
        ).scalar()
        try:
            set_password(
                session=session,
                account=account,
                password=password,
                now=ctx.now(),
                keep_session_id=keep,
            )
            session.commit()
            return RedirectResponse("/account?changed=1", status_code=303)
        except AccountError as exc:
            session.rollback()
            error = str(exc)
    return render(
        request,
        "auth/account.html",
        status_code=400,
        title="Your account",
        account=account,
        tokens=list_api_tokens(session=session, account=account),
        new_token=None,
        error=error,
        now=ctx.now(),
    )
