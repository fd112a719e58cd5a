"""Signing in and server-side web sessions: authenticate, start, resolve, end, revoke.

The browser holds a random token; the database holds only its sha256, so a copy of the
database cannot be used to sign in. A session expires IDLE after it was last seen (sliding)
and in any case MAX_AGE after it started; logout, a password change, a role removal and
disabling the account revoke it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from aligna.model.account import Account, WebSession, normalise_email
from aligna.web.auth.errors import LoginFailed, LoginLimited
from aligna.web.auth.passwords import (
    hash_password,
    needs_rehash,
    spend_verify_time,
    verify_password,
)
from aligna.web.auth.ratelimit import check_login_allowed, record_attempt

__all__ = [
    "IDLE",
    "MAX_AGE",
    "TOUCH_INTERVAL",
    "LoginFailed",
    "LoginLimited",
    "authenticate",
    "end_session",
    "hash_token",
    "resolve_session",
    "revoke_all_sessions",
    "start_session",
]

IDLE = timedelta(hours=12)
MAX_AGE = timedelta(days=7)
# Writing last_seen_at on every request would turn each page view into a write.
TOUCH_INTERVAL = timedelta(minutes=1)
USER_AGENT_LENGTH = 500


def hash_token(token: str) -> str:
    """The sha256 hex of a random token: what the database stores and looks up."""
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(
    *, session: Session, email: str, password: str, ip: str | None, now: datetime
) -> Account:
    """The account for an email and password, or LoginFailed (or LoginLimited when locked).

    A failure commits the session itself: the failed attempt must count even though the
    error will make the caller roll back.
    """
    check_login_allowed(session=session, email=email, ip=ip, now=now)
    account = session.scalar(select(Account).where(Account.email == normalise_email(email)))
    if account is None or account.password_hash is None:
        # Unknown emails take as long as known ones, so timing does not tell them apart.
        spend_verify_time(password)
        ok = False
    else:
        ok = verify_password(password_hash=account.password_hash, password=password)
    if account is None or account.disabled_at is not None:
        ok = False
    record_attempt(session=session, email=email, ip=ip, ok=ok, now=now)
    if not ok or account is None:
        session.commit()
        raise LoginFailed()
    if account.password_hash is not None and needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = now
    session.flush()
    return account


def start_session(
    *,
    session: Session,
    account: Account,
    now: datetime,
    user_agent: str = "",
    ip: str = "",
    idle: timedelta = IDLE,
    max_age: timedelta = MAX_AGE,
) -> tuple[str, WebSession]:
    """A new session for a signed-in account: the raw token for the cookie, and its row."""
    token = secrets.token_urlsafe(32)
    web_session = WebSession(
        token_hash=hash_token(token),
        account_id=account.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=min(now + idle, now + max_age),
        user_agent=user_agent[:USER_AGENT_LENGTH],
        ip=ip,
    )
    session.add(web_session)
    session.flush()
    return token, web_session


def resolve_session(
    *,
    session: Session,
    token: str,
    now: datetime,
    idle: timedelta = IDLE,
    max_age: timedelta = MAX_AGE,
) -> tuple[WebSession, Account] | None:
    """The live session of a cookie token and its account, or None; slides its expiry."""
    found = session.execute(
        select(WebSession, Account)
        .join(Account, Account.id == WebSession.account_id)
        .where(WebSession.token_hash == hash_token(token))
    ).first()
    if found is None:
        return None
    web_session, account = found
    if (
        web_session.revoked_at is not None
        or web_session.expires_at <= now
        or web_session.created_at + max_age <= now
        or account.disabled_at is not None
    ):
        return None
    if now - web_session.last_seen_at >= TOUCH_INTERVAL:
        web_session.last_seen_at = now
        web_session.expires_at = min(now + idle, web_session.created_at + max_age)
        session.flush()
    return web_session, account


def end_session(*, session: Session, token: str, now: datetime) -> bool:
    """Sign out: revoke the session of a cookie token. Whether there was a live one."""
    result = session.execute(
        update(WebSession)
        .where(WebSession.token_hash == hash_token(token), WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def revoke_all_sessions(
    *, session: Session, account_id: int, now: datetime, except_id: int | None = None
) -> int:
    """Revoke every live session of an account, but the one to keep. Returns how many."""
    statement = update(WebSession).where(
        WebSession.account_id == account_id, WebSession.revoked_at.is_(None)
    )
    if except_id is not None:
        statement = statement.where(WebSession.id != except_id)
    result = session.execute(
        statement.values(revoked_at=now).execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
