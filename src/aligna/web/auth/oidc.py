"""Single sign-on by OpenID Connect: the authorization code flow with PKCE, state and nonce.

`/auth/oidc/login` sends the browser to the provider; `/auth/oidc/callback` exchanges the code,
validates the ID token (see oidc_tokens.py), finds the account and starts a session exactly like
the password sign-in. The flow's secrets wait in a signed, short-lived cookie, not the database.
"""

from __future__ import annotations

import logging
import re
import secrets
import warnings
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from authlib.integrations.base_client import OAuthError

with warnings.catch_warnings():
    # Authlib asks for "httpx2"; httpx is what aligna installs and the client works with it.
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import OAuth2Client
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aligna.model.account import Account
from aligna.model.org import Person
from aligna.settings import Settings
from aligna.web.auth.accounts import create_account, find_account
from aligna.web.auth.identify import ANONYMOUS_CSRF_COOKIE, set_session_cookie
from aligna.web.auth.oidc_tokens import (
    Provider,
    SsoFailed,
    forget_providers,
    mask,
    provider,
    validate_id_token,
)
from aligna.web.auth.routes import _anonymous_csrf, _with_csrf_cookie, begin_session, safe_next
from aligna.web.context import WebContext
from aligna.web.deps import Context, DbSession, NotFound, OptionalViewer
from aligna.web.pages.common import render

__all__ = ["SsoFailed", "forget_providers", "match_account", "pack_flow", "router", "unpack_flow"]

log = logging.getLogger("aligna.web.oidc")
router = APIRouter(include_in_schema=False)

FLOW_COOKIE = "aligna_oidc"
FLOW_PATH = "/auth/oidc"  # the cookie goes only to the two single sign-on routes
FLOW_MAX_AGE = 600  # seconds a person has at the provider before the sign-in must restart
HTTP_TIMEOUT = 10.0
FLOW_KEYS = ("state", "nonce", "verifier", "next")


class _ClockSigner(TimestampSigner):
    """A timestamp signer on the application's clock, so that tests can age a flow."""

    def __init__(self, *args: Any, clock: Callable[[], datetime], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clock = clock

    def get_timestamp(self) -> int:
        """Now, in seconds, by the application's clock."""
        return int(self.clock().timestamp())


def _serializer(ctx: WebContext) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        ctx.secret, salt="aligna.oidc-flow", signer=_ClockSigner, signer_kwargs={"clock": ctx.now}
    )


def pack_flow(ctx: WebContext, flow: dict[str, str]) -> str:
    """The flow cookie's value: state, nonce, PKCE verifier and next page, signed and dated."""
    return _serializer(ctx).dumps(flow)


def unpack_flow(ctx: WebContext, value: str | None) -> dict[str, str]:
    """The flow of a cookie, or SsoFailed when it is missing, forged or older than 10 minutes."""
    if not value:
        raise SsoFailed("the sign-in was not started here or has already been used: try again")
    try:
        flow = _serializer(ctx).loads(value, max_age=FLOW_MAX_AGE)
    except SignatureExpired:
        raise SsoFailed("the sign-in took longer than 10 minutes: try again") from None
    except BadSignature:
        raise SsoFailed("the sign-in could not be checked: try again") from None
    if not isinstance(flow, dict) or not all(isinstance(flow.get(k), str) for k in FLOW_KEYS):
        raise SsoFailed("the sign-in could not be checked: try again")
    return flow


def redirect_uri(settings: Settings) -> str:
    """Where the provider sends the browser back: register exactly this with the provider."""
    return settings.public_url.rstrip("/") + "/auth/oidc/callback"


def _client(settings: Settings, found: Provider) -> OAuth2Client:
    secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None
    methods = found.auth_methods
    if secret is None:
        method = "none"  # a public client: PKCE alone binds the code to this browser
    elif "client_secret_post" in methods and "client_secret_basic" not in methods:
        method = "client_secret_post"  # the provider accepts the secret only in the form
    else:
        method = "client_secret_basic"
    return OAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=secret,
        token_endpoint_auth_method=method,
        scope=settings.oidc_scopes,
        redirect_uri=redirect_uri(settings),
        code_challenge_method="S256",
        timeout=HTTP_TIMEOUT,
    )


@router.get("/auth/oidc/login")
def oidc_login(request: Request, ctx: Context, viewer: OptionalViewer, next: str = "/") -> Response:
    """Send the browser to the provider, with state, nonce and a PKCE challenge."""
    settings = ctx.settings
    if not settings.oidc_issuer:
        raise NotFound()
    if viewer is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    try:
        found = provider(settings)
    except SsoFailed as exc:
        return _refused(request, ctx, next, exc)
    flow = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "verifier": secrets.token_urlsafe(48),  # 64 characters, within PKCE's 43 to 128
        "next": safe_next(next),
    }
    with _client(settings, found) as client:
        url, _ = client.create_authorization_url(
            found.authorization_endpoint,
            state=flow["state"],
            code_verifier=flow["verifier"],
            nonce=flow["nonce"],
        )
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLOW_COOKIE,
        pack_flow(ctx, flow),
        max_age=FLOW_MAX_AGE,
        httponly=True,
        samesite="lax",  # sent on the provider's top-level redirect back, not on other sites' posts
        secure=ctx.secure_cookies,
        path=FLOW_PATH,
    )
    return response


@router.get("/auth/oidc/callback")
def oidc_callback(
    request: Request,
    ctx: Context,
    session: DbSession,
    state: str = "",
    code: str = "",
    error: str = "",
    error_description: str = "",
) -> Response:
    """Check the state, exchange the code, validate the ID token, find the account, sign in."""
    settings = ctx.settings
    if not settings.oidc_issuer:
        raise NotFound()
    next_page = "/"
    try:
        if error:
            # Only a code word is shown: anyone can craft this address, so free text could lie.
            log.info("oidc error", extra={"error": error[:100], "detail": error_description[:300]})
            said = error if re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", error) else "an error"
            raise SsoFailed(f"single sign-on failed: the provider said {said}")
        flow = unpack_flow(ctx, request.cookies.get(FLOW_COOKIE))
        next_page = flow["next"]
        if not state or not secrets.compare_digest(state.encode(), flow["state"].encode()):
            raise SsoFailed("single sign-on failed: the answer does not belong to this sign-in")
        if not code:
            raise SsoFailed("single sign-on failed: the provider sent no authorization code")
        found = provider(settings)
        claims = _claims(settings, found, code, flow)
        account = match_account(
            session,
            issuer=found.issuer,
            claims=claims,
            create=settings.oidc_create_accounts,
            now=ctx.now(),
        )
    except SsoFailed as exc:
        session.rollback()
        return _refused(request, ctx, next_page, exc)
    account.last_login_at = ctx.now()
    token = begin_session(request, ctx, session, account)
    try:
        session.commit()
    except IntegrityError:  # two first sign-ins of one person at the same moment
        session.rollback()
        return _refused(request, ctx, next_page, SsoFailed("single sign-on failed: try again"))
    log.info("single sign-on", extra={"event": "oidc_login", "account": account.id})
    response = RedirectResponse(safe_next(next_page), status_code=303)
    set_session_cookie(response, ctx, token)
    response.delete_cookie(FLOW_COOKIE, path=FLOW_PATH)  # one use: a replayed answer finds none
    response.delete_cookie(ANONYMOUS_CSRF_COOKIE, path="/")
    return response


def _claims(settings: Settings, found: Provider, code: str, flow: dict[str, str]) -> dict[str, Any]:
    """Exchange the code (with the PKCE verifier) and return the ID token's validated claims."""
    try:
        with _client(settings, found) as client:
            tokens = client.fetch_token(
                found.token_endpoint, code=code, code_verifier=flow["verifier"]
            )
            id_token = tokens.get("id_token")
            if not isinstance(id_token, str):
                raise SsoFailed("single sign-on failed: the provider sent no ID token")
            claims = validate_id_token(
                id_token,
                found=found,
                client_id=settings.oidc_client_id,
                nonce=flow["nonce"],
                settings=settings,
            )
            if "email" not in claims and found.userinfo_endpoint:
                # Some providers put the email only in the userinfo answer.
                info = client.get(found.userinfo_endpoint).json()
                if isinstance(info, dict) and info.get("sub") == claims["sub"]:
                    claims.update({k: info[k] for k in ("email", "email_verified") if k in info})
    except OAuthError as exc:
        said = mask(f"{exc.error}" + (f" ({exc.description})" if exc.description else ""), settings)
        raise SsoFailed(f"single sign-on failed: the provider refused the code: {said}") from None
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("oidc token exchange failed", extra={"error": mask(repr(exc), settings)})
        raise SsoFailed("single sign-on failed: the provider could not be reached") from None
    return claims


def match_account(
    session: Session, *, issuer: str, claims: dict[str, Any], create: bool, now: datetime
) -> Account:
    """The account of validated claims: by issuer and subject, else by verified email (linked)."""
    subject = str(claims["sub"])
    account = session.scalar(
        select(Account).where(Account.oidc_issuer == issuer, Account.oidc_subject == subject)
    )
    if account is None:
        email = _verified_email(claims)
        account = find_account(session=session, email=email)
        if account is None:
            account = _new_account(session, email, now) if create else None
        if account is None:
            raise SsoFailed(f"no aligna account for {email}: ask an administrator", 403)
        if account.oidc_issuer == issuer and account.oidc_subject not in (None, subject):
            # Someone else at the provider now carries this email: never hand them the account.
            raise SsoFailed(
                f"the aligna account for {email} belongs to another single sign-on identity: "
                "ask an administrator",
                403,
            )
    if account.disabled_at is not None:
        raise SsoFailed(f"the aligna account for {account.email} is disabled", 403)
    if (account.oidc_issuer, account.oidc_subject) != (issuer, subject):
        # The first single sign-on (or one after the provider was replaced) links the account.
        account.oidc_issuer, account.oidc_subject = issuer, subject
        log.info("oidc linked", extra={"event": "oidc_linked", "account": account.id})
    session.flush()
    return account


def _verified_email(claims: dict[str, Any]) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SsoFailed("single sign-on failed: the provider sent no email address", 403)
    # Absent, the provider vouches for the address by sending it; present, it must say so.
    if "email_verified" in claims and claims["email_verified"] not in (True, "true"):
        raise SsoFailed(f"single sign-on failed: the provider has not verified {email}", 403)
    return email.strip().lower()


def _new_account(session: Session, email: str, now: datetime) -> Account | None:
    """An account for the live person with this email who has none yet, else None."""
    person = session.scalar(
        select(Person).where(func.lower(Person.email) == email, Person.archived_at.is_(None))
    )
    if person is None or session.scalar(select(Account.id).where(Account.person_id == person.id)):
        return None
    log.info("oidc account created", extra={"event": "oidc_account_created", "person": person.id})
    return create_account(session=session, email=email, now=now, person=person.id)


def _refused(request: Request, ctx: Context, next_page: str, exc: SsoFailed) -> Response:
    """The sign-in page again, with what went wrong (never a traceback)."""
    log.warning("single sign-on refused", extra={"event": "oidc_refused", "reason": str(exc)})
    text = mask(str(exc), ctx.settings)
    token = _anonymous_csrf(request, ctx)
    response = render(
        request,
        "auth/login.html",
        status_code=exc.status,
        title="Sign in",
        next=safe_next(next_page),
        form_token=token,
        error=f"{text[:1].upper()}{text[1:]}.",
        oidc_enabled=bool(ctx.settings.oidc_issuer),
        oidc_label=ctx.settings.oidc_button_label,
    )
    response.delete_cookie(FLOW_COOKIE, path=FLOW_PATH)
    return _with_csrf_cookie(response, ctx, token)
