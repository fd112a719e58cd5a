"""Signing in, rate limits and server-side sessions, with hand-worked times."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from auth_support import PASSWORD, T0, open_session
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from aligna.model import Account, LoginAttempt, WebSession
from aligna.web.auth import passwords
from aligna.web.auth.accounts import (
    create_account,
    disable_account,
    grant_role,
    revoke_role,
    set_password,
)
from aligna.web.auth.ratelimit import LoginLimited, record_attempt
from aligna.web.auth.sessions import (
    LoginFailed,
    authenticate,
    end_session,
    resolve_session,
    revoke_all_sessions,
    start_session,
)

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
EMAIL = "ada@example.com"


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    yield from open_session(engine)


@pytest.fixture
def ada(session: Session) -> Account:
    account = create_account(session=session, email=EMAIL, password=PASSWORD, now=T0)
    session.commit()
    return account


def login(
    session: Session, password: str, at: timedelta, *, email: str = EMAIL, ip: str = ""
) -> Account:
    """Sign in at T0 + at."""
    return authenticate(session=session, email=email, password=password, ip=ip, now=T0 + at)


def failures(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(LoginAttempt).where(~LoginAttempt.ok))


def test_sign_in_works_and_every_failure_looks_the_same(session: Session, ada: Account) -> None:
    assert login(session, PASSWORD, timedelta(0), email=" ADA@example.com") is ada
    assert ada.last_login_at == T0
    create_account(session=session, email="sso@example.com", now=T0)  # no password
    blocked = create_account(session=session, email="off@example.com", password=PASSWORD, now=T0)
    disable_account(session=session, account=blocked, now=T0)
    messages = set()
    for email, password in [
        (EMAIL, "not the password"),
        ("nobody@example.com", PASSWORD),
        ("sso@example.com", PASSWORD),
        ("off@example.com", PASSWORD),  # the right password, but disabled
    ]:
        with pytest.raises(LoginFailed) as failed:
            login(session, password, timedelta(0), email=email)
        messages.add(str(failed.value))
    assert messages == {"wrong email or password"}
    assert failures(session) == 4  # committed despite the error


def test_unknown_emails_spend_the_argon2_time(
    session: Session, ada: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    real = passwords.verify_password

    def counting(*, password_hash: str, password: str) -> bool:
        verified.append(password)
        return real(password_hash=password_hash, password=password)

    monkeypatch.setattr(passwords, "verify_password", counting)
    monkeypatch.setattr("aligna.web.auth.sessions.verify_password", counting)
    for email in (EMAIL, "nobody@example.com"):
        with pytest.raises(LoginFailed):
            login(session, "a wrong password", timedelta(0), email=email)
    assert verified == ["a wrong password", "a wrong password"]


def test_five_failures_lock_the_email_until_the_oldest_leaves_the_window(
    session: Session, ada: Account
) -> None:
    for at in (0, 0.5, 2, 4 + 1 / 6, 7):  # minutes: 0:00, 0:30, 2:00, 4:10, 7:00
        with pytest.raises(LoginFailed):
            login(session, "wrong password!", at * MINUTE)
    # At 9:00 the oldest failure (0:00) leaves the 15-minute window at 15:00: 6 minutes.
    with pytest.raises(LoginLimited) as limited:
        login(session, PASSWORD, 9 * MINUTE)  # even the right password
    assert limited.value.retry_after_seconds == 360
    assert str(limited.value) == "too many failed sign-ins: try again in 6 min"
    with pytest.raises(LoginLimited) as limited:
        login(session, PASSWORD, 15 * MINUTE - timedelta(seconds=1))
    assert limited.value.retry_after_seconds == 1
    assert failures(session) == 5  # refused attempts are not counted, so the lock cannot grow
    # At 15:00, four failures remain in the window; one more fails and locks again until the
    # 0:30 failure leaves at 15:30.
    with pytest.raises(LoginFailed):
        login(session, "wrong password!", 15 * MINUTE)
    with pytest.raises(LoginLimited) as limited:
        login(session, PASSWORD, 15 * MINUTE)
    assert limited.value.retry_after_seconds == 30
    assert login(session, PASSWORD, 15 * MINUTE + 30 * timedelta(seconds=1)) is ada


def test_unlocked_fifteen_minutes_after_the_failures(session: Session, ada: Account) -> None:
    for _ in range(5):
        with pytest.raises(LoginFailed):
            login(session, "wrong password!", timedelta(0))
    with pytest.raises(LoginLimited) as limited:
        login(session, PASSWORD, timedelta(0))
    assert limited.value.retry_after_seconds == 900
    assert login(session, PASSWORD, 15 * MINUTE) is ada


def test_a_success_clears_the_email_count_but_not_the_address(
    session: Session, ada: Account
) -> None:
    for _ in range(4):
        with pytest.raises(LoginFailed):
            login(session, "wrong password!", timedelta(0), ip="10.0.0.1")
    login(session, PASSWORD, MINUTE, ip="10.0.0.1")
    for _ in range(4):
        with pytest.raises(LoginFailed):
            login(session, "wrong password!", 2 * MINUTE, ip="10.0.0.1")
    assert login(session, PASSWORD, 3 * MINUTE, ip="10.0.0.1") is ada


def test_twenty_failures_lock_an_address(session: Session, ada: Account) -> None:
    for number in range(20):  # four tries at five emails: no email reaches its limit
        with pytest.raises(LoginFailed):
            login(
                session,
                "wrong",
                number * 10 * timedelta(seconds=1),
                email=f"u{number % 5}@x.org",
                ip="10.0.0.9",
            )
    # The first failure (0:00) leaves the window at 15:00; it is 3:20 now.
    with pytest.raises(LoginLimited) as limited:
        login(session, PASSWORD, 200 * timedelta(seconds=1), ip="10.0.0.9")
    assert limited.value.retry_after_seconds == 15 * 60 - 200
    assert login(session, PASSWORD, 200 * timedelta(seconds=1), ip="10.0.0.10") is ada


def test_attempts_older_than_a_day_are_purged(session: Session) -> None:
    record_attempt(session=session, email=EMAIL, ip="10.0.0.1", ok=False, now=T0)
    record_attempt(session=session, email=EMAIL, ip=None, ok=False, now=T0 + 23 * HOUR)
    assert failures(session) == 3
    record_attempt(session=session, email=EMAIL, ip=None, ok=True, now=T0 + 24 * HOUR + MINUTE)
    assert session.scalars(select(LoginAttempt.at).order_by(LoginAttempt.at)).all() == [
        T0 + 23 * HOUR,
        T0 + 24 * HOUR + MINUTE,
    ]


def test_sessions_store_only_the_hash_of_their_token(session: Session, ada: Account) -> None:
    token, web_session = start_session(
        session=session, account=ada, now=T0, user_agent="Firefox", ip="10.0.0.1"
    )
    other, second = start_session(session=session, account=ada, now=T0)
    session.commit()
    assert web_session.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token != other and web_session.csrf_token != second.csrf_token
    assert len(token) >= 43 and len(web_session.csrf_token) >= 43
    rows = session.execute(select(WebSession.__table__)).all()
    assert not any(token in str(value) for row in rows for value in row)
    assert (web_session.created_at, web_session.expires_at) == (T0, T0 + 12 * HOUR)
    assert resolve_session(session=session, token=token, now=T0) == (web_session, ada)
    assert resolve_session(session=session, token="not a token", now=T0) is None


def test_sessions_slide_twelve_hours_after_the_last_activity(
    session: Session, ada: Account
) -> None:
    token, web_session = start_session(session=session, account=ada, now=T0)
    # Within a minute of the last activity nothing is written.
    assert resolve_session(session=session, token=token, now=T0 + 30 * timedelta(seconds=1))
    assert (web_session.last_seen_at, web_session.expires_at) == (T0, T0 + 12 * HOUR)
    # Active at 11:00: expires 12 h later, at 23:00.
    assert resolve_session(session=session, token=token, now=T0 + 11 * HOUR)
    assert (web_session.last_seen_at, web_session.expires_at) == (T0 + 11 * HOUR, T0 + 23 * HOUR)
    # 13 h after that activity it is gone, and stays gone.
    assert resolve_session(session=session, token=token, now=T0 + 24 * HOUR) is None
    assert resolve_session(session=session, token=token, now=T0 + 22 * HOUR) is not None


def test_sessions_expire_at_exactly_twelve_idle_hours(session: Session, ada: Account) -> None:
    token, _ = start_session(session=session, account=ada, now=T0)
    assert resolve_session(session=session, token=token, now=T0 + 12 * HOUR) is None


def test_sessions_end_after_seven_days_however_active(session: Session, ada: Account) -> None:
    token, web_session = start_session(session=session, account=ada, now=T0)
    at = timedelta(0)
    while at + 11 * HOUR < timedelta(days=7):
        at += 11 * HOUR
        assert resolve_session(session=session, token=token, now=T0 + at), at
    # The last activity was at 6 days 21:00; the sliding expiry is capped at 7 days.
    assert at == timedelta(days=6, hours=21)
    assert web_session.expires_at == T0 + timedelta(days=7)
    assert resolve_session(session=session, token=token, now=T0 + timedelta(days=7) - MINUTE)
    assert resolve_session(session=session, token=token, now=T0 + timedelta(days=7)) is None


def test_shorter_settings_can_be_passed(session: Session, ada: Account) -> None:
    token, web_session = start_session(
        session=session, account=ada, now=T0, idle=HOUR, max_age=30 * MINUTE
    )
    assert web_session.expires_at == T0 + 30 * MINUTE
    limits = {"idle": HOUR, "max_age": 30 * MINUTE}
    assert resolve_session(session=session, token=token, now=T0 + 20 * MINUTE, **limits)
    assert web_session.expires_at == T0 + 30 * MINUTE
    assert resolve_session(session=session, token=token, now=T0 + 30 * MINUTE, **limits) is None


def test_logout_ends_only_that_session(session: Session, ada: Account) -> None:
    token, _ = start_session(session=session, account=ada, now=T0)
    other, _ = start_session(session=session, account=ada, now=T0)
    assert end_session(session=session, token=token, now=T0 + MINUTE) is True
    assert end_session(session=session, token=token, now=T0 + MINUTE) is False
    assert resolve_session(session=session, token=token, now=T0 + MINUTE) is None
    assert resolve_session(session=session, token=other, now=T0 + MINUTE) is not None


def test_a_password_change_revokes_the_other_sessions(session: Session, ada: Account) -> None:
    kept, kept_session = start_session(session=session, account=ada, now=T0)
    other, _ = start_session(session=session, account=ada, now=T0)
    revoked = set_password(
        session=session,
        account=ada,
        password="a brand new passphrase",
        now=T0 + HOUR,
        keep_session_id=kept_session.id,
    )
    assert revoked == 1
    assert resolve_session(session=session, token=kept, now=T0 + HOUR) is not None
    assert resolve_session(session=session, token=other, now=T0 + HOUR) is None
    with pytest.raises(LoginFailed):
        login(session, PASSWORD, HOUR)
    assert login(session, "a brand new passphrase", HOUR) is ada


def test_removing_a_role_revokes_every_session(session: Session, ada: Account) -> None:
    grant_role(session=session, account=ada, role="admin")
    token, _ = start_session(session=session, account=ada, now=T0)
    grant_role(session=session, account=ada, role="strategy_office")  # granting keeps them
    assert resolve_session(session=session, token=token, now=T0 + MINUTE) is not None
    revoke_role(session=session, account=ada, role="admin", now=T0 + HOUR)
    assert resolve_session(session=session, token=token, now=T0 + HOUR) is None


def test_disabling_an_account_ends_its_sessions(session: Session, ada: Account) -> None:
    token, _ = start_session(session=session, account=ada, now=T0)
    ada.disabled_at = T0 + MINUTE  # even without revoking, a disabled account has no session
    assert resolve_session(session=session, token=token, now=T0 + MINUTE) is None
    ada.disabled_at = None
    disable_account(session=session, account=ada, now=T0 + MINUTE)
    ada.disabled_at = None
    assert resolve_session(session=session, token=token, now=T0 + MINUTE) is None


def test_revoke_all_sessions_counts_what_it_revoked(session: Session, ada: Account) -> None:
    _, first = start_session(session=session, account=ada, now=T0)
    start_session(session=session, account=ada, now=T0)
    start_session(session=session, account=ada, now=T0)
    assert revoke_all_sessions(session=session, account_id=ada.id, now=T0, except_id=first.id) == 2
    assert revoke_all_sessions(session=session, account_id=ada.id, now=T0) == 1
    assert revoke_all_sessions(session=session, account_id=ada.id, now=T0) == 0
