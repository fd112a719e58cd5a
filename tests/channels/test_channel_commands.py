"""The channel commands: a person's digest and inbox, the outbox and its dead letters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from channel_org import Org, build_org, off_track, reconcile
from sqlalchemy import Engine, update
from typer.testing import CliRunner

from aligna import model as m
from aligna.channels.dispatch import dispatch_events
from aligna.channels.outbox import deliver_due
from aligna.channels.transports import InboxTransport
from aligna.cli import app
from aligna.db import session_scope
from aligna.settings import Settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables and errors on one line each, whatever the terminal."""
    from aligna import cli

    monkeypatch.setattr(cli.console, "width", 400)
    monkeypatch.setattr(cli.errors, "width", 400)


OPENED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def org(engine: Engine) -> Org:
    built = build_org(engine)
    reconcile(engine, built, off_track(built), OPENED)
    dispatch_events(engine, Settings(), now=OPENED)
    deliver_due(
        engine=engine, transports={"inbox": InboxTransport(engine)}, worker="t", now=lambda: OPENED
    )
    return built


def test_inbox_lists_the_unread_message(engine: Engine, org: Org, database_url: str) -> None:
    result = runner.invoke(app, ["--database", database_url, "inbox", "olga"])
    assert result.exit_code == 0, result.output
    assert "olga: 1 unread" in result.output
    assert "Exception on On-time delivery: off track" in result.output
    missing = runner.invoke(app, ["--database", database_url, "inbox", "nobody"])
    assert missing.exit_code == 1 and "no person has the id 'nobody'" in missing.output


def test_digest_previews_without_writing(engine: Engine, org: Org, database_url: str) -> None:
    result = runner.invoke(app, ["--database", database_url, "digest", "olga", "--at", "+1d"])
    assert result.exit_code == 0, result.output
    assert "Subject: [aligna] Your weekly digest: 1 needs you" in result.output
    assert "WHAT NEEDS YOU (1)" in result.output
    with session_scope(engine) as session:
        assert session.query(m.DigestMark).count() == 0
    bad = runner.invoke(app, ["--database", database_url, "digest", "olga", "--at", "soon"])
    assert bad.exit_code == 1 and "cannot read the time 'soon'" in bad.output


def test_messages_counts_and_retries_dead_letters(
    engine: Engine, org: Org, database_url: str
) -> None:
    with session_scope(engine) as session:
        session.execute(update(m.Message).values(sent_at=None, dead_at=OPENED, attempts=8))
    result = runner.invoke(app, ["--database", database_url, "messages", "--dead"])
    assert result.exit_code == 0, result.output
    assert "inbox" in result.output and "Dead letters" in result.output
    nothing = runner.invoke(app, ["--database", database_url, "messages", "retry"])
    assert nothing.exit_code == 1 and "--all" in nothing.output
    retried = runner.invoke(app, ["--database", database_url, "messages", "retry", "--all"])
    assert retried.exit_code == 0 and "1 dead letter will be sent again" in retried.output
