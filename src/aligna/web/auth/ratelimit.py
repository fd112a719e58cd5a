"""Login rate limits, kept in the database so that every web process shares them.

Each attempt is recorded under two keys, `email:<email>` and `ip:<address>`. An email is
locked after EMAIL_LIMIT failures within WINDOW, an address after IP_LIMIT; the lock lifts as
soon as enough of those failures are older than WINDOW. A successful sign-in clears the
email's count (the owner proved they know the password) but not the address's, so one valid
account cannot be used to keep guessing at others.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from aligna.model.account import LoginAttempt, normalise_email
from aligna.web.auth.errors import LoginLimited

__all__ = [
    "EMAIL_LIMIT",
    "IP_LIMIT",
    "KEEP",
    "WINDOW",
    "LoginLimited",
    "check_login_allowed",
    "email_key",
    "ip_key",
    "purge_attempts",
    "record_attempt",
]

EMAIL_LIMIT = 5
IP_LIMIT = 20
WINDOW = timedelta(minutes=15)
KEEP = timedelta(days=1)


def email_key(email: str) -> str:
    """The rate-limit key of an email address."""
    return f"email:{normalise_email(email)}"


def ip_key(ip: str) -> str:
    """The rate-limit key of a client address."""
    return f"ip:{ip}"


def check_login_allowed(*, session: Session, email: str, ip: str | None, now: datetime) -> None:
    """Raise LoginLimited when this email or address has failed too often lately."""
    waits = [_wait(session=session, key=email_key(email), limit=EMAIL_LIMIT, reset=True, now=now)]
    if ip:
        waits.append(_wait(session=session, key=ip_key(ip), limit=IP_LIMIT, reset=False, now=now))
    longest = max(waits)
    if longest > 0:
        raise LoginLimited(longest)


def _wait(*, session: Session, key: str, limit: int, reset: bool, now: datetime) -> int:
    """Seconds until the key may try again; 0 when it may now."""
    since = now - WINDOW
    if reset:
        last_ok = session.scalar(
            select(func.max(LoginAttempt.at)).where(
                LoginAttempt.key == key, LoginAttempt.ok, LoginAttempt.at > since
            )
        )
        if last_ok is not None:
            since = last_ok
    failures = session.scalars(
        select(LoginAttempt.at)
        .where(LoginAttempt.key == key, ~LoginAttempt.ok, LoginAttempt.at > since)
        .order_by(LoginAttempt.at)
    ).all()
    if len(failures) < limit:
        return 0
    # Allowed again once only limit - 1 failures remain inside the window: when this one leaves.
    leaving = failures[len(failures) - limit]
    return max(1, math.ceil((leaving + WINDOW - now).total_seconds()))


def record_attempt(
    *, session: Session, email: str, ip: str | None, ok: bool, now: datetime
) -> None:
    """Record a sign-in attempt under its email and address, and purge old attempts."""
    session.add(LoginAttempt(key=email_key(email), at=now, ok=ok))
    if ip:
        session.add(LoginAttempt(key=ip_key(ip), at=now, ok=ok))
    # Purging on every write keeps the table to a day of attempts without a scheduled job.
    purge_attempts(session=session, now=now)
    session.flush()


def purge_attempts(*, session: Session, now: datetime) -> int:
    """Delete attempts older than KEEP; they can no longer count. Returns how many."""
    result = session.execute(
        delete(LoginAttempt)
        .where(LoginAttempt.at < now - KEEP)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
