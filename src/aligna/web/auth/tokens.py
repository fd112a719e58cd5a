"""API tokens and single-use password reset tokens.

Both are random values handed out once; only their sha256 is stored, so they are found by
hashing what is presented (no constant-time comparison needed) and cannot be read back.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligna.model.account import Account, ApiToken, PasswordResetToken
from aligna.web.auth.accounts import set_password
from aligna.web.auth.errors import AccountError, TokenInvalid
from aligna.web.auth.sessions import TOUCH_INTERVAL, hash_token

__all__ = [
    "API_TOKEN_PREFIX",
    "RESET_LIFETIME",
    "TokenInvalid",
    "check_reset_token",
    "consume_reset_token",
    "create_api_token",
    "create_reset_token",
    "list_api_tokens",
    "reset_path",
    "resolve_api_token",
    "revoke_api_token",
]

API_TOKEN_PREFIX = "aligna_"
# Shown beside a token's name: `aligna_` and 8 random characters, enough to tell tokens apart
# and far too little (48 of 256 bits) to help anyone guess the rest.
DISPLAY_LENGTH = len(API_TOKEN_PREFIX) + 8
RESET_LIFETIME = timedelta(hours=1)


def create_api_token(
    *,
    session: Session,
    account: Account,
    name: str,
    now: datetime,
    expires_at: datetime | None = None,
) -> tuple[str, ApiToken]:
    """A new API token for an account: the raw token (shown once, never stored) and its row."""
    name = name.strip()
    if not name:
        raise AccountError("an API token needs a name, to tell it apart later")
    if expires_at is not None and expires_at <= now:
        raise AccountError("an API token's expiry must be in the future")
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        account_id=account.id,
        name=name,
        token_hash=hash_token(token),
        prefix=token[:DISPLAY_LENGTH],
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return token, row


def resolve_api_token(
    *, session: Session, token: str, now: datetime
) -> tuple[ApiToken, Account] | None:
    """The live API token presented and its account, or None (unknown, revoked, expired)."""
    found = session.execute(
        select(ApiToken, Account)
        .join(Account, Account.id == ApiToken.account_id)
        .where(ApiToken.token_hash == hash_token(token))
    ).first()
    if found is None:
        return None
    row, account = found
    if (
        row.revoked_at is not None
        or (row.expires_at is not None and row.expires_at <= now)
        or account.disabled_at is not None
    ):
        return None
    # At most one write a minute per token, however busy the client.
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_INTERVAL:
        row.last_used_at = now
        session.flush()
    return row, account


def revoke_api_token(*, session: Session, account: Account, token_id: int, now: datetime) -> bool:
    """Revoke one of an account's API tokens. Whether it was live."""
    row = session.get(ApiToken, token_id)
    if row is None or row.account_id != account.id:
        raise TokenInvalid(f"no API token {token_id} for {account.email}")
    if row.revoked_at is not None:
        return False
    row.revoked_at = now
    session.flush()
    return True


def list_api_tokens(*, session: Session, account: Account) -> list[ApiToken]:
    """An account's API tokens, newest first, revoked and expired ones included."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.account_id == account.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def create_reset_token(
    *, session: Session, account: Account, now: datetime, lifetime: timedelta = RESET_LIFETIME
) -> str:
    """A single-use password reset token for an account, valid for `lifetime`; shown once."""
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(
            account_id=account.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return token


def reset_path(token: str) -> str:
    """The path of the page where a reset token is used."""
    return f"/reset/{token}"


def check_reset_token(*, session: Session, token: str, now: datetime) -> Account:
    """The account a reset token is for, or TokenInvalid; for showing the form before use."""
    return _live_reset(session=session, token=token, now=now)[1]


def consume_reset_token(
    *, session: Session, token: str, new_password: str, now: datetime
) -> Account:
    """Set a new password with a reset token: single use; revokes every session."""
    row, account = _live_reset(session=session, token=token, now=now)
    # The policy is checked before the token is spent, so a rejected password can be retried.
    set_password(session=session, account=account, password=new_password, now=now)
    row.used_at = now
    session.flush()
    return account


def _live_reset(
    *, session: Session, token: str, now: datetime
) -> tuple[PasswordResetToken, Account]:
    found = session.execute(
        select(PasswordResetToken, Account)
        .join(Account, Account.id == PasswordResetToken.account_id)
        .where(PasswordResetToken.token_hash == hash_token(token))
    ).first()
    if found is None:
        raise TokenInvalid("this reset link is not valid: ask for a new one")
    row, account = found
    if row.used_at is not None:
        raise TokenInvalid("this reset link has already been used: ask for a new one")
    if row.expires_at <= now:
        raise TokenInvalid("this reset link has expired: ask for a new one")
    if account.disabled_at is not None:
        raise TokenInvalid("this account is disabled")
    return row, account
