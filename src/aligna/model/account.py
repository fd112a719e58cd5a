"""Accounts and sign-in: accounts, roles, web sessions, login attempts, reset and API tokens.

Secrets (session tokens, reset tokens, API tokens) are stored only as the sha256 hex of the
random value handed out; passwords only as argon2 hashes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aligna.enums import AccountRoleName
from aligna.model.base import Base, UTCDateTime, enum_column, utcnow

EMAIL_LENGTH = 320
HASH_LENGTH = 64  # sha256 as hex


def normalise_email(email: str) -> str:
    """An email as accounts store and look it up: trimmed and lower-case."""
    return email.strip().lower()


class Account(Base):
    """Someone who can sign in: a person's account, or a service admin with no person."""

    __tablename__ = "account"
    # After the first single sign-on an account is found by its provider's issuer and subject.
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_account_oidc"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), unique=True)
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH), unique=True)
    # None for accounts that sign in only through single sign-on.
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    oidc_issuer: Mapped[str | None] = mapped_column(String(500), default=None)
    oidc_subject: Mapped[str | None] = mapped_column(String(255), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class AccountRole(Base):
    """A role granted to an account (admin, strategy office)."""

    __tablename__ = "account_role"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    role: Mapped[AccountRoleName] = mapped_column(
        enum_column(AccountRoleName, "account_role_name"), primary_key=True
    )


class WebSession(Base):
    """A signed-in browser: found by the hash of its cookie token, revocable at any time."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    user_agent: Mapped[str] = mapped_column(String(500), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")


class LoginAttempt(Base):
    """One sign-in attempt under one key (`email:...` or `ip:...`), for shared rate limits."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_key_at", "key", "at"),
        Index("ix_login_attempt_at", "at"),  # purging old attempts
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)


class PasswordResetToken(Base):
    """A single-use link to set a password, valid for a short time."""

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class ApiToken(Base):
    """A named bearer token for the API, acting as its account."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    # The start of the token, so people can tell their tokens apart; too short to use.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
