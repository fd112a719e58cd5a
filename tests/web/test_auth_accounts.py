"""Accounts: the password rules, creating accounts, roles, listing, rehashing old hashes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from auth_support import PASSWORD, T0, add_person, open_session
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from aligna.enums import AccountRoleName
from aligna.model import Account, AccountRole
from aligna.web.auth.accounts import (
    AccountError,
    account_roles,
    create_account,
    disable_account,
    find_account,
    get_account,
    grant_role,
    list_accounts,
    revoke_role,
)
from aligna.web.auth.passwords import (
    PasswordPolicyError,
    check_password_policy,
    needs_rehash,
    verify_password,
)
from aligna.web.auth.sessions import authenticate


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    yield from open_session(engine)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "too short: it has 0 characters, at least 12 are needed"),
        ("eleven char", "too short: it has 11 characters, at least 12 are needed"),
        ("Ada@Example.com", "must not be the account's email address"),
        (" ada@example.com ", "must not be the account's email address"),
        ("x" * 1025, "too long: at most 1024 characters"),
    ],
)
def test_password_rules_say_what_is_wrong(password: str, message: str) -> None:
    with pytest.raises(PasswordPolicyError, match=message):
        check_password_policy(password=password, email="ada@example.com")


@pytest.mark.parametrize("password", ["twelve chars", "x" * 1024, "ada@example.co"])
def test_passwords_that_meet_the_rules(password: str) -> None:
    check_password_policy(password=password, email="ada@example.com")


def test_create_account_normalises_the_email_and_hashes_the_password(session: Session) -> None:
    account = create_account(session=session, email="  Ada@Example.COM ", password=PASSWORD, now=T0)
    assert account.email == "ada@example.com"
    assert account.created_at == T0
    assert account.password_hash is not None and account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash
    assert verify_password(password_hash=account.password_hash, password=PASSWORD)
    assert find_account(session=session, email="ADA@example.com") is account
    with pytest.raises(AccountError, match=r"there is already an account for ada@example\.com"):
        create_account(session=session, email="ada@EXAMPLE.com", now=T0)


def test_an_account_without_password_signs_in_only_by_sso_or_reset(session: Session) -> None:
    account = create_account(session=session, email="sso@example.com", now=T0)
    assert account.password_hash is None


@pytest.mark.parametrize("email", ["ada", "@example.com", "ada@", "a b@example.com", "a@b@c"])
def test_create_account_refuses_what_is_not_an_email(session: Session, email: str) -> None:
    with pytest.raises(AccountError, match="is not an email address, expected name@domain"):
        create_account(session=session, email=email, now=T0)


def test_a_weak_password_creates_nothing(session: Session) -> None:
    with pytest.raises(PasswordPolicyError, match="too short"):
        create_account(session=session, email="ada@example.com", password="short", now=T0)
    assert session.scalar(select(func.count()).select_from(Account)) == 0


def test_accounts_link_people_by_id_slug_or_email(session: Session) -> None:
    ada = add_person(session, "p-ada", "Ada@Example.com")
    ines = add_person(session, "p-ines", "ines@example.com")
    tom = add_person(session, "p-tom", "tom@example.com")
    # Without a person, the person with the same email (in any case) is linked.
    assert create_account(session=session, email="ada@example.com", now=T0).person_id == ada.id
    by_slug = create_account(session=session, email="ines@work.example", person="p-ines", now=T0)
    assert by_slug.person_id == ines.id
    by_id = create_account(session=session, email="tom@work.example", person=tom.id, now=T0)
    assert by_id.person_id == tom.id
    # ines@example.com is Ines's address, but she already signs in with another one.
    assert create_account(session=session, email="ines@example.com", now=T0).person_id is None
    # A service admin belongs to no one.
    assert create_account(session=session, email="ops@example.com", now=T0).person_id is None
    with pytest.raises(AccountError, match="person 'p-ada' already has an account"):
        create_account(session=session, email="ada2@example.com", person="p-ada", now=T0)
    with pytest.raises(AccountError, match="no person 'p-nobody'"):
        create_account(session=session, email="x@example.com", person="p-nobody", now=T0)


def test_roles_are_granted_revoked_and_listed(session: Session) -> None:
    account = create_account(
        session=session,
        email="ada@example.com",
        roles=["strategy_office", AccountRoleName.admin, "admin"],
        now=T0,
    )
    assert account_roles(session=session, account_id=account.id) == ["admin", "strategy_office"]
    assert revoke_role(session=session, account=account, role="admin", now=T0) is True
    assert revoke_role(session=session, account=account, role="admin", now=T0) is False
    assert grant_role(session=session, account=account, role="admin") is True
    assert grant_role(session=session, account=account, role="admin") is False
    assert session.scalar(select(func.count()).select_from(AccountRole)) == 2
    with pytest.raises(AccountError, match="unknown role 'manager', expected one of: admin, "):
        grant_role(session=session, account=account, role="manager")


def test_list_accounts_shows_people_roles_and_state(session: Session) -> None:
    add_person(session, "p-ada", "ada@example.com")
    ada = create_account(session=session, email="ada@example.com", roles=["admin"], now=T0)
    ops = create_account(session=session, email="ops@example.com", now=T0)
    disable_account(session=session, account=ops, now=T0)
    assert disable_account(session=session, account=ops, now=T0) is False
    ada.last_login_at = T0
    session.commit()
    listed = list_accounts(session=session)
    assert [(a.email, a.person, a.roles) for a in listed] == [
        ("ada@example.com", "p-ada", ("admin",)),
        ("ops@example.com", None, ()),
    ]
    assert (listed[0].last_login_at, listed[0].disabled_at) == (T0, None)
    assert (listed[1].last_login_at, listed[1].disabled_at) == (None, T0)


def test_get_account_names_the_missing_email(session: Session) -> None:
    with pytest.raises(AccountError, match=r"no account for nobody@example\.com"):
        get_account(session=session, email="Nobody@example.com")


def test_a_weak_old_hash_is_upgraded_at_sign_in(session: Session) -> None:
    account = create_account(session=session, email="ada@example.com", now=T0)
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    account.password_hash = old
    session.commit()
    assert needs_rehash(old)
    authenticate(session=session, email="ada@example.com", password=PASSWORD, ip=None, now=T0)
    assert account.password_hash != old and not needs_rehash(account.password_hash)
    assert verify_password(password_hash=account.password_hash, password=PASSWORD)
    assert account.last_login_at == T0
