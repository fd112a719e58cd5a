"""Forgotten passwords: ask for a reset link by email address.

Until mail is configured (the channels issue), the link goes to the server's log, where an
operator can pass it on; the page says the same whether or not the address has an account,
so it reveals nothing. Requests count against the sign-in rate limit of that address.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from aligna.web.auth.accounts import find_account
from aligna.web.auth.errors import LoginLimited
from aligna.web.auth.ratelimit import check_login_allowed, record_attempt
from aligna.web.auth.routes import (
    _anonymous_csrf,
    _check_anonymous_csrf,
    _client_ip,
    _with_csrf_cookie,
)
from aligna.web.auth.tokens import create_reset_token, reset_path
from aligna.web.deps import Context, DbSession
from aligna.web.pages.common import render

router = APIRouter(include_in_schema=False)
log = logging.getLogger("aligna.web")


@router.get("/forgot", response_class=HTMLResponse)
def forgot_form(request: Request, ctx: Context) -> Response:
    """The form asking for the account's email address."""
    token = _anonymous_csrf(request, ctx)
    response = render(request, "auth/forgot.html", title="Forgot your password", form_token=token)
    return _with_csrf_cookie(response, ctx, token)


@router.post("/forgot", response_class=HTMLResponse)
def forgot(
    request: Request,
    ctx: Context,
    session: DbSession,
    email: Annotated[str, Form(max_length=320)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Make a reset link for the account, if there is one, and log it for the operator."""
    _check_anonymous_csrf(request, ctx, csrf_token)
    now, ip = ctx.now(), _client_ip(request)
    try:
        check_login_allowed(session=session, email=email, ip=ip, now=now)
    except LoginLimited as exc:
        return render(
            request,
            "auth/forgot.html",
            status_code=429,
            title="Forgot your password",
            form_token=_anonymous_csrf(request, ctx),
            error=f"{str(exc).capitalize()}.",
        )
    # Counted like a failed sign-in, so the form cannot be used to flood the log.
    record_attempt(session=session, email=email, ip=ip, ok=False, now=now)
    account = find_account(session=session, email=email)
    if account is not None and account.disabled_at is None:
        path = reset_path(create_reset_token(session=session, account=account, now=now))
        log.warning(
            "password reset link",
            extra={
                "event": "password_reset_link",
                "email": account.email,
                "link": ctx.settings.public_url.rstrip("/") + path,
                "note": "no mail is configured: pass this link to its owner",
            },
        )
    session.commit()
    token = _anonymous_csrf(request, ctx)
    response = render(
        request, "auth/forgot.html", title="Forgot your password", form_token=token, sent=True
    )
    return _with_csrf_cookie(response, ctx, token)
