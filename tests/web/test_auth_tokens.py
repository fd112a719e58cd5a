"""API tokens and password reset tokens: only hashes stored, expiry, revocation, single use."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from auth_support import PASSWORD, T0, open_session
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aligna.model import Account, ApiToken, PasswordResetToken
from aligna.web.auth.accounts import AccountError, create_account, disable_account, set_password
from aligna.web.auth.passwords import PasswordPolicyError
from aligna.web.auth.sessions import LoginFailed, authenticate, resolve_session, start_session
from aligna.web.auth.tokens import (
    TokenInvalid,
    check_reset_token,
    consume_reset_token,
    create_api_token,
    create_reset_token,
    list_api_tokens,
    reset_path,
    resolve_api_token,
    revoke_api_token,
)

SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    yield from open_session(engine)


@pytest.fixture
def ada(session: Session) -> Account:
    account = create_account(session=session, email="ada@example.com", password=PASSWORD, now=T0)
    session.commit()
    return account


def stored_values(session: Session, table: object) -> list[str]:
    """Every value of every row of a table, as text, read straight from the database."""
    rows = session.execute(select(table)).all()  # type: ignore[call-overload]
    return [str(value) for row in rows for value in row]


def test_api_tokens_are_shown_once_and_stored_as_a_hash(session: Session, ada: Account) -> None:
    token, row = create_api_token(session=session, account=ada, name=" deploy bot ", now=T0)
    session.commit()
    assert token.startswith("aligna_") and len(token) == len("aligna_") + 43
    assert row.name == "deploy bot"
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.prefix == token[:15]  # aligna_ and 8 random characters
    values = stored_values(session, ApiToken.__table__)
    assert row.token_hash in values
    assert not any(token in value or token[7:] in value for value in values)
    assert resolve_api_token(session=session, token=token, now=T0) == (row, ada)


def test_resolving_notes_the_last_use_at_most_once_a_minute(session: Session, ada: Account) -> None:
    token, row = create_api_token(session=session, account=ada, name="bot", now=T0)
    assert row.last_used_at is None
    assert resolve_api_token(session=session, token=token, now=T0 + HOUR)
    assert row.last_used_at == T0 + HOUR
    assert resolve_api_token(session=session, token=token, now=T0 + HOUR + 59 * SECOND)
    assert row.last_used_at == T0 + HOUR
    assert resolve_api_token(session=session, token=token, now=T0 + HOUR + MINUTE)
    assert row.last_used_at == T0 + HOUR + MINUTE


def test_unknown_revoked_and_expired_tokens_resolve_to_nothing(
    session: Session, ada: Account
) -> None:
    assert resolve_api_token(session=session, token="aligna_nothing", now=T0) is None
    expiring, _ = create_api_token(
        session=session, account=ada, name="ci", now=T0, expires_at=T0 + timedelta(days=30)
    )
    assert resolve_api_token(session=session, token=expiring, now=T0 + timedelta(days=30) - SECOND)
    assert resolve_api_token(session=session, token=expiring, now=T0 + timedelta(days=30)) is None
    revoked, row = create_api_token(session=session, account=ada, name="old", now=T0)
    assert revoke_api_token(session=session, account=ada, token_id=row.id, now=T0 + HOUR)
    assert not revoke_api_token(session=session, account=ada, token_id=row.id, now=T0 + HOUR)
    assert row.revoked_at == T0 + HOUR
    assert resolve_api_token(session=session, token=revoked, now=T0 + HOUR) is None


def test_tokens_of_a_disabled_account_stop_working(session: Session, ada: Account) -> None:
    token, _ = create_api_token(session=session, account=ada, name="bot", now=T0)
    disable_account(session=session, account=ada, now=T0 + MINUTE)
    assert resolve_api_token(session=session, token=token, now=T0 + HOUR) is None


def test_tokens_are_listed_and_revoked_per_account(session: Session, ada: Account) -> None:
    bob = create_account(session=session, email="bob@example.com", now=T0)
    create_api_token(session=session, account=ada, name="first", now=T0)
    create_api_token(session=session, account=ada, name="second", now=T0 + HOUR)
    _, bobs = create_api_token(session=session, account=bob, name="bob's", now=T0)
    assert [row.name for row in list_api_tokens(session=session, account=ada)] == [
        "second",
        "first",
    ]
    with pytest.raises(TokenInvalid, match=f"no API token {bobs.id} for ada@example"):
        revoke_api_token(session=session, account=ada, token_id=bobs.id, now=T0)
    assert bobs.revoked_at is None


def test_api_tokens_need_a_name_and_a_future_expiry(session: Session, ada: Account) -> None:
    with pytest.raises(AccountError, match="needs a name"):
        create_api_token(session=session, account=ada, name="  ", now=T0)
    with pytest.raises(AccountError, match="expiry must be in the future"):
        create_api_token(session=session, account=ada, name="x", now=T0, expires_at=T0)


def test_a_reset_token_sets_the_password_once_and_ends_every_session(
    session: Session, ada: Account
) -> None:
    browser_token, _ = start_session(session=session, account=ada, now=T0)
    token = create_reset_token(session=session, account=ada, now=T0)
    session.commit()
    assert reset_path(token) == f"/reset/{token}"
    values = stored_values(session, PasswordResetToken.__table__)
    assert hashlib.sha256(token.encode()).hexdigest() in values
    assert not any(token in value for value in values)
    assert check_reset_token(session=session, token=token, now=T0 + MINUTE) is ada
    # One second before the hour is up it still works.
    consumed = consume_reset_token(
        session=session, token=token, new_password=NEW_PASSWORD, now=T0 + HOUR - SECOND
    )
    assert consumed is ada
    assert resolve_session(session=session, token=browser_token, now=T0 + HOUR) is None
    assert authenticate(
        session=session, email="ada@example.com", password=NEW_PASSWORD, ip=None, now=T0 + HOUR
    )
    with pytest.raises(TokenInvalid, match="already been used"):
        consume_reset_token(
            session=session, token=token, new_password="yet another passphrase", now=T0 + HOUR
        )


def test_a_reset_token_expires_at_exactly_one_hour(session: Session, ada: Account) -> None:
    token = create_reset_token(session=session, account=ada, now=T0)
    with pytest.raises(TokenInvalid, match="this reset link has expired: ask for a new one"):
        consume_reset_token(session=session, token=token, new_password=NEW_PASSWORD, now=T0 + HOUR)
    with pytest.raises(LoginFailed):
        authenticate(
            session=session, email="ada@example.com", password=NEW_PASSWORD, ip=None, now=T0
        )


def test_an_unknown_reset_token_is_refused(session: Session, ada: Account) -> None:
    with pytest.raises(TokenInvalid, match="this reset link is not valid: ask for a new one"):
        consume_reset_token(session=session, token="made-up", new_password=NEW_PASSWORD, now=T0)


def test_a_rejected_password_does_not_spend_the_token(session: Session, ada: Account) -> None:
    token = create_reset_token(session=session, account=ada, now=T0)
    with pytest.raises(PasswordPolicyError, match="too short"):
        consume_reset_token(session=session, token=token, new_password="short", now=T0)
    assert consume_reset_token(session=session, token=token, new_password=NEW_PASSWORD, now=T0)


def test_a_new_password_spends_older_reset_links(session: Session, ada: Account) -> None:
    first = create_reset_token(session=session, account=ada, now=T0)
    second = create_reset_token(session=session, account=ada, now=T0)
    set_password(session=session, account=ada, password=NEW_PASSWORD, now=T0 + MINUTE)
    for token in (first, second):
        with pytest.raises(TokenInvalid, match="already been used"):
            check_reset_token(session=session, token=token, now=T0 + MINUTE)


def test_a_disabled_account_cannot_reset(session: Session, ada: Account) -> None:
    token = create_reset_token(session=session, account=ada, now=T0)
    disable_account(session=session, account=ada, now=T0)
    with pytest.raises(TokenInvalid, match="disabled"):
        consume_reset_token(session=session, token=token, new_password=NEW_PASSWORD, now=T0)
