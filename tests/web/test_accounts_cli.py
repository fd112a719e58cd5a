"""`aligna accounts ...` end to end, on a project made by `aligna init` and `aligna apply`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from aligna import cli
from aligna.cli import app
from aligna.db import open_database
from aligna.model.base import utcnow
from aligna.web.auth.accounts import find_account
from aligna.web.auth.sessions import authenticate
from aligna.web.auth.tokens import consume_reset_token

runner = CliRunner()
RESET = re.compile(r"/reset/([A-Za-z0-9_-]{43})")


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    """Run the command; return its exit code and everything it printed."""
    result = runner.invoke(app, list(args), input=stdin, env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An applied `aligna init` project, with the current folder inside it."""
    monkeypatch.setattr(cli.console, "width", 200)
    monkeypatch.setattr(cli.errors, "width", 200)
    for name in ("ALIGNA_PROJECT", "ALIGNA_DATABASE_URL", "ALIGNA_ACTOR"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "org"
    assert run("init", str(folder))[0] == 0
    monkeypatch.chdir(folder)
    code, output = run("apply", "-m", "first version")
    assert code == 0, output
    return folder


def database(project: Path) -> Session:
    """A session on the project's database, to check what the commands did."""
    return Session(open_database(f"sqlite:///{project / 'aligna.db'}"), expire_on_commit=False)


def test_create_prints_a_reset_link_that_sets_the_password(project: Path) -> None:
    code, output = run("accounts", "create", "Ada@Example.com", "--role", "admin")
    assert code == 0, output
    assert "Created the account ada@example.com." in output
    assert "valid 1 h" in output
    token = RESET.search(output)
    assert token is not None, output
    with database(project) as session:
        account = find_account(session=session, email="ada@example.com")
        assert account is not None and account.password_hash is None
        consume_reset_token(
            session=session, token=token[1], new_password="a long passphrase", now=utcnow()
        )
        session.commit()
        signed_in = authenticate(
            session=session,
            email="ada@example.com",
            password="a long passphrase",
            ip=None,
            now=utcnow(),
        )
        assert signed_in.id == account.id
        session.commit()
    code, output = run("accounts", "list")
    assert code == 0, output
    # Linked to Ada Moreau (p-ada) by her email; signed in just now; not disabled.
    line = next(line for line in output.splitlines() if "ada@example.com" in line)
    assert re.search(
        r"ada@example\.com\s+│\s+p-ada\s+│\s+admin\s+│\s+20\d\d-\d\d-\d\d .* UTC", line
    )
    assert line.rstrip(" │").endswith("-")


def test_create_with_a_password_person_and_roles(project: Path) -> None:
    code, output = run(
        "accounts",
        "create",
        "ines@work.example",
        "--person",
        "p-ines",
        "--role",
        "admin",
        "--role",
        "strategy_office",
        "--password-stdin",
        stdin="my long passphrase\n",
    )
    assert code == 0, output
    assert "/reset/" not in output
    with database(project) as session:
        account = authenticate(
            session=session,
            email="ines@work.example",
            password="my long passphrase",  # without the newline
            ip=None,
            now=utcnow(),
        )
        assert account.person_id is not None
    code, output = run("accounts", "list")
    assert "p-ines" in output and "admin, strategy_office" in output
    assert "1 account" in output


def test_grant_revoke_reset_and_disable(project: Path) -> None:
    assert run("accounts", "create", "ops@example.com")[0] == 0
    code, output = run("accounts", "grant", "OPS@example.com", "strategy_office")
    assert (code, output.strip()) == (0, "ops@example.com now has the role strategy_office.")
    code, output = run("accounts", "grant", "ops@example.com", "strategy_office")
    assert output.strip() == "ops@example.com already had the role strategy_office."
    code, output = run("accounts", "revoke", "ops@example.com", "strategy_office")
    assert code == 0
    assert "no longer has the role strategy_office; its sessions were ended" in output
    code, output = run("accounts", "revoke", "ops@example.com", "admin")
    assert output.strip() == "ops@example.com did not have the role admin."
    code, output = run("accounts", "reset-password", "ops@example.com", "--valid-for", "24")
    assert code == 0 and RESET.search(output) and "valid 24 h" in output
    code, output = run("accounts", "disable", "ops@example.com")
    assert (code, output.strip()) == (0, "ops@example.com is now disabled.")
    code, output = run("accounts", "disable", "ops@example.com")
    assert output.strip() == "ops@example.com was already disabled."
    code, output = run("accounts", "list")
    line = next(line for line in output.splitlines() if "ops@example.com" in line)
    assert re.search(r"│\s+-\s+│\s+-\s+│\s+-\s+│\s+20\d\d-\d\d-\d\d \d\d:\d\d UTC", line), line
    code, output = run("accounts", "reset-password", "ops@example.com")
    assert code == 1 and "error: ops@example.com is disabled" in output
    code, output = run("accounts", "enable", "ops@example.com")
    assert (code, output.strip()) == (0, "ops@example.com is enabled again.")
    code, output = run("accounts", "enable", "ops@example.com")
    assert output.strip() == "ops@example.com was not disabled."
    assert run("accounts", "reset-password", "ops@example.com")[0] == 0


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("create", "ada@example.com", "--password-stdin"), "short\n", "the password is too short"),
        (
            ("create", "ada@example.com", "--password-stdin"),
            "\n",
            "--password-stdin: no password on standard input",
        ),
        (("create", "ada"), None, "'ada' is not an email address, expected name@domain"),
        (("create", "x@example.com", "--person", "p-nobody"), None, "no person 'p-nobody'"),
        (("grant", "nobody@example.com", "admin"), None, "no account for nobody@example.com"),
        (("revoke", "nobody@example.com", "admin"), None, "no account for nobody@example.com"),
        (("reset-password", "nobody@example.com"), None, "no account for nobody@example.com"),
        (("disable", "nobody@example.com"), None, "no account for nobody@example.com"),
    ],
)
def test_errors_are_one_clear_line(
    project: Path, args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    code, output = run("accounts", *args, stdin=stdin)
    assert code == 1, output
    assert f"error: {message}" in output
    assert "Traceback" not in output
    with database(project) as session:
        assert find_account(session=session, email="ada@example.com") is None


def test_a_second_account_for_an_email_or_person_is_refused(project: Path) -> None:
    assert run("accounts", "create", "ada@example.com")[0] == 0
    code, output = run("accounts", "create", "ADA@example.com")
    assert code == 1 and "error: there is already an account for ada@example.com" in output
    code, output = run("accounts", "create", "ada@work.example", "--person", "p-ada")
    assert code == 1 and "error: person 'p-ada' already has an account" in output


def test_an_unknown_role_is_refused_by_the_command_line(project: Path) -> None:
    code, output = run("accounts", "create", "ada@example.com", "--role", "manager")
    assert code == 2 and "manager" in output


def test_accounts_need_a_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ALIGNA_PROJECT", "ALIGNA_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert run("init", str(tmp_path / "org"))[0] == 0
    monkeypatch.chdir(tmp_path / "org")
    code, output = run("accounts", "list")
    # The message wraps at the console's width when the temporary path is long.
    assert code == 1 and "run aligna apply first" in " ".join(output.split())
