"""Account commands: `aligna accounts create|list|grant|revoke|reset-password|disable|enable`.

Registered on the main `aligna` app when aligna.cli is imported (see its last lines). The
commands are thin: they call the services in aligna.web.auth and print the result.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from aligna.cli import app, console, existing_database, fail, settings_for
from aligna.enums import AccountRoleName

accounts_app = typer.Typer(
    help="Sign-in accounts: create them, grant roles, send reset links.", no_args_is_help=True
)
app.add_typer(accounts_app, name="accounts")

EmailArgument = Annotated[str, typer.Argument(help="The account's email address.")]
RoleArgument = Annotated[AccountRoleName, typer.Argument(help="admin or strategy_office.")]
ValidForOption = Annotated[
    float,
    typer.Option("--valid-for", min=0.1, max=168, help="Hours the reset link stays valid."),
]


@contextmanager
def _session() -> Iterator[Session]:
    """A session on the project's database, turning account errors into clean exits."""
    from aligna.db import open_database, session_scope
    from aligna.web.auth.errors import AccountError, TokenInvalid

    engine = open_database(existing_database(settings_for()))
    try:
        with session_scope(engine) as session:
            yield session
    except (AccountError, TokenInvalid) as exc:
        raise fail(str(exc)) from None
    finally:
        engine.dispose()


def _now() -> datetime:
    from aligna.model.base import utcnow

    return utcnow()


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else "-"


def _print_reset(token: str, hours: float) -> None:
    from aligna.web.auth.tokens import reset_path

    console.print(
        f"One-time link to set the password (valid {hours:g} h): "
        f"[bold]{reset_path(token)}[/bold] on the web address of aligna",
        soft_wrap=True,
    )


@accounts_app.command("create")
def create(
    email: EmailArgument,
    person: Annotated[
        str | None,
        typer.Option(help="The person's id (default: the person with this email, if any)."),
    ] = None,
    role: Annotated[
        list[AccountRoleName] | None,
        typer.Option("--role", help="A role to grant; repeat for several."),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    valid_for: ValidForOption = 1.0,
) -> None:
    """Create an account; without a password, print a one-time link to set one."""
    from aligna.web.auth.accounts import create_account
    from aligna.web.auth.tokens import create_reset_token

    password = _read_password() if password_stdin else None
    now = _now()
    with _session() as session:
        account = create_account(
            session=session,
            email=email,
            person=person,
            password=password,
            roles=role or (),
            now=now,
        )
        token = None
        if password is None:
            token = create_reset_token(
                session=session, account=account, now=now, lifetime=timedelta(hours=valid_for)
            )
        email = account.email
    console.print(f"Created the account [bold]{email}[/bold].")
    if token is not None:
        _print_reset(token, valid_for)


def _read_password() -> str:
    # One line, so `echo "$PASSWORD" | aligna accounts create ...` works; the newline is not part.
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise fail("--password-stdin: no password on standard input")
    return password


@accounts_app.command("list")
def list_command() -> None:
    """List the accounts: email, person, roles, last sign-in, disabled."""
    from aligna.web.auth.accounts import list_accounts

    with _session() as session:
        listings = list_accounts(session=session)
    table = Table(title="Accounts", title_justify="left")
    for column in ("email", "person", "roles", "last login", "disabled"):
        table.add_column(column)
    for listing in listings:
        table.add_row(
            listing.email,
            listing.person or "-",
            ", ".join(listing.roles) or "-",
            _when(listing.last_login_at),
            _when(listing.disabled_at),
        )
    console.print(table)
    console.print(f"{len(listings)} account{'' if len(listings) == 1 else 's'}")


@accounts_app.command("grant")
def grant(email: EmailArgument, role: RoleArgument) -> None:
    """Grant a role to an account."""
    from aligna.web.auth.accounts import get_account, grant_role

    with _session() as session:
        account = get_account(session=session, email=email)
        new = grant_role(session=session, account=account, role=role)
    what = "now has" if new else "already had"
    console.print(f"{account.email} {what} the role {role.value}.")


@accounts_app.command("revoke")
def revoke(email: EmailArgument, role: RoleArgument) -> None:
    """Take a role away from an account; its sessions end, so it signs in again."""
    from aligna.web.auth.accounts import get_account, revoke_role

    with _session() as session:
        account = get_account(session=session, email=email)
        held = revoke_role(session=session, account=account, role=role, now=_now())
    if held:
        console.print(
            f"{account.email} no longer has the role {role.value}; its sessions were ended."
        )
    else:
        console.print(f"{account.email} did not have the role {role.value}.")


@accounts_app.command("reset-password")
def reset_password(email: EmailArgument, valid_for: ValidForOption = 1.0) -> None:
    """Print a one-time link with which the account's owner sets a new password."""
    from aligna.web.auth.accounts import get_account
    from aligna.web.auth.tokens import create_reset_token

    with _session() as session:
        account = get_account(session=session, email=email)
        if account.disabled_at is not None:
            raise fail(f"{account.email} is disabled")
        token = create_reset_token(
            session=session, account=account, now=_now(), lifetime=timedelta(hours=valid_for)
        )
    _print_reset(token, valid_for)


@accounts_app.command("disable")
def disable(email: EmailArgument) -> None:
    """Disable an account: it can no longer sign in, its sessions and tokens stop working."""
    from aligna.web.auth.accounts import disable_account, get_account

    with _session() as session:
        account = get_account(session=session, email=email)
        changed = disable_account(session=session, account=account, now=_now())
    state = "is now disabled" if changed else "was already disabled"
    console.print(f"{account.email} {state}.")


@accounts_app.command("enable")
def enable(email: EmailArgument) -> None:
    """Enable a disabled account again: it can sign in (its old sessions stay ended)."""
    from aligna.web.auth.accounts import enable_account, get_account

    with _session() as session:
        account = get_account(session=session, email=email)
        changed = enable_account(session=session, account=account)
    state = "is enabled again" if changed else "was not disabled"
    console.print(f"{account.email} {state}.")
