"""Accounts: create, find, list, set passwords, grant and revoke roles, disable."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from aligna.enums import AccountRoleName
from aligna.model.account import (
    EMAIL_LENGTH,
    Account,
    AccountRole,
    PasswordResetToken,
    normalise_email,
)
from aligna.model.org import Person
from aligna.web.auth.errors import AccountError, PasswordPolicyError
from aligna.web.auth.passwords import check_password_policy, hash_password
from aligna.web.auth.sessions import revoke_all_sessions

__all__ = [
    "AccountError",
    "AccountListing",
    "PasswordPolicyError",
    "account_roles",
    "create_account",
    "disable_account",
    "find_account",
    "get_account",
    "grant_role",
    "list_accounts",
    "revoke_role",
    "set_password",
]

ROLE_NAMES = ", ".join(role.value for role in AccountRoleName)


@dataclass(frozen=True)
class AccountListing:
    """One account as listings show it."""

    email: str
    person: str | None
    roles: tuple[AccountRoleName, ...]
    created_at: datetime
    last_login_at: datetime | None
    disabled_at: datetime | None


def create_account(
    *,
    session: Session,
    email: str,
    now: datetime,
    person: str | int | None = None,
    password: str | None = None,
    roles: Iterable[AccountRoleName | str] = (),
) -> Account:
    """A new account; without a person, the live person with the same email is linked if any."""
    email = _valid_email(email)
    if find_account(session=session, email=email) is not None:
        raise AccountError(f"there is already an account for {email}")
    wanted = [_role(role) for role in roles]
    if person is None:
        person_row = session.scalar(
            select(Person).where(func.lower(Person.email) == email, Person.archived_at.is_(None))
        )
        if person_row is not None and _account_of_person(session, person_row.id) is not None:
            person_row = None  # that person already signs in with another address
    else:
        person_row = _person(session, person)
        if _account_of_person(session, person_row.id) is not None:
            raise AccountError(f"person '{person_row.slug}' already has an account")
    if password is not None:
        check_password_policy(password=password, email=email)
    account = Account(
        email=email,
        person_id=person_row.id if person_row is not None else None,
        password_hash=hash_password(password) if password is not None else None,
        created_at=now,
    )
    session.add(account)
    session.flush()
    for role in dict.fromkeys(wanted):
        session.add(AccountRole(account_id=account.id, role=role))
    session.flush()
    return account


def find_account(*, session: Session, email: str) -> Account | None:
    """The account of an email address (in any case), or None."""
    return session.scalar(select(Account).where(Account.email == normalise_email(email)))


def get_account(*, session: Session, email: str) -> Account:
    """The account of an email address, or AccountError saying there is none."""
    account = find_account(session=session, email=email)
    if account is None:
        raise AccountError(f"no account for {normalise_email(email)}")
    return account


def account_roles(*, session: Session, account_id: int) -> list[AccountRoleName]:
    """The roles granted to an account, in a stable order."""
    return sorted(
        session.scalars(select(AccountRole.role).where(AccountRole.account_id == account_id))
    )


def list_accounts(*, session: Session) -> list[AccountListing]:
    """Every account by email, with its person's id, roles and last sign-in."""
    rows = session.execute(
        select(Account, Person.slug)
        .outerjoin(Person, Person.id == Account.person_id)
        .order_by(Account.email)
    ).all()
    roles: dict[int, list[AccountRoleName]] = {}
    for account_id, role in session.execute(select(AccountRole.account_id, AccountRole.role)):
        roles.setdefault(account_id, []).append(role)
    return [
        AccountListing(
            email=account.email,
            person=slug,
            roles=tuple(sorted(roles.get(account.id, []))),
            created_at=account.created_at,
            last_login_at=account.last_login_at,
            disabled_at=account.disabled_at,
        )
        for account, slug in rows
    ]


def set_password(
    *,
    session: Session,
    account: Account,
    password: str,
    now: datetime,
    keep_session_id: int | None = None,
) -> int:
    """Set a new password; revoke the other sessions and reset links. Returns sessions revoked."""
    check_password_policy(password=password, email=account.email)
    account.password_hash = hash_password(password)
    # Whoever knew the old password, or holds an older reset link, is locked out with it.
    session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.account_id == account.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return revoke_all_sessions(
        session=session, account_id=account.id, now=now, except_id=keep_session_id
    )


def grant_role(*, session: Session, account: Account, role: AccountRoleName | str) -> bool:
    """Grant a role to an account. Whether it was new."""
    wanted = _role(role)
    if session.get(AccountRole, (account.id, wanted)) is not None:
        return False
    session.add(AccountRole(account_id=account.id, role=wanted))
    session.flush()
    return True


def revoke_role(
    *, session: Session, account: Account, role: AccountRoleName | str, now: datetime
) -> bool:
    """Take a role away and revoke the account's sessions, which carried it. Whether it had it."""
    held = session.get(AccountRole, (account.id, _role(role)))
    if held is None:
        return False
    session.delete(held)
    revoke_all_sessions(session=session, account_id=account.id, now=now)
    session.flush()
    return True


def disable_account(*, session: Session, account: Account, now: datetime) -> bool:
    """Stop an account from signing in or using its tokens. Whether it was enabled."""
    if account.disabled_at is not None:
        return False
    account.disabled_at = now
    revoke_all_sessions(session=session, account_id=account.id, now=now)
    session.flush()
    return True


def enable_account(*, session: Session, account: Account) -> bool:
    """Let a disabled account sign in again (its old sessions stay ended). Whether it changed."""
    if account.disabled_at is None:
        return False
    account.disabled_at = None
    session.flush()
    return True


def _valid_email(email: str) -> str:
    email = normalise_email(email)
    local, at, domain = email.partition("@")
    if not at or not local or not domain or "@" in domain or any(c.isspace() for c in email):
        raise AccountError(f"'{email}' is not an email address, expected name@domain")
    if len(email) > EMAIL_LENGTH:
        raise AccountError(f"the email address is longer than {EMAIL_LENGTH} characters")
    return email


def _role(role: AccountRoleName | str) -> AccountRoleName:
    try:
        return AccountRoleName(role)
    except ValueError:
        raise AccountError(f"unknown role '{role}', expected one of: {ROLE_NAMES}") from None


def _person(session: Session, person: str | int) -> Person:
    column = Person.id if isinstance(person, int) else Person.slug
    found = session.scalar(select(Person).where(column == person))
    if found is None:
        raise AccountError(f"no person '{person}'")
    if found.archived_at is not None:
        raise AccountError(f"person '{found.slug}' is archived")
    return found


def _account_of_person(session: Session, person_id: int) -> Account | None:
    return session.scalar(select(Account).where(Account.person_id == person_id))
