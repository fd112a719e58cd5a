"""Channel commands: read a person's digest or inbox, look at the outbox, retry dead letters.

Registered on the main `aligna` app when aligna.cli is imported (see its last lines).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from aligna import model as m
from aligna.cli import app, console, existing_database, fail, settings_for

messages_app = typer.Typer(
    help="The outbox: what is waiting, sent or dead, and retrying dead letters.",
    invoke_without_command=True,
)
app.add_typer(messages_app, name="messages")

AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="As if it were this time: an ISO date or date-time, or +8d, +12h from now.",
    ),
]


def _engine():  # type: ignore[no-untyped-def]
    from aligna.db import open_database

    return open_database(existing_database(settings_for()))


def _now(at: str | None):  # type: ignore[no-untyped-def]
    from aligna.clock import ClockError, parse_at
    from aligna.model.base import utcnow

    if at is None:
        return utcnow()
    try:
        return parse_at(at, timezone=settings_for().timezone)
    except ClockError as exc:
        raise fail(str(exc)) from None


@app.command(name="digest")
def digest_command(
    person: Annotated[str, typer.Argument(help="The person's id (slug), as in people.csv.")],
    html: Annotated[bool, typer.Option("--html", help="Print the HTML part instead.")] = False,
    at: AtOption = None,
) -> None:
    """Show the digest a person would get now, without sending or recording anything."""
    from aligna.channels.digest import preview_digest

    engine = _engine()
    try:
        subject, text, body = preview_digest(engine, settings_for(), person=person, now=_now(at))
    except LookupError as exc:
        raise fail(str(exc)) from None
    finally:
        engine.dispose()
    if html:
        print(body)
        return
    console.print(f"[bold]Subject:[/bold] {escape(subject)}\n", highlight=False)
    print(text)


@app.command(name="inbox")
def inbox_command(
    person: Annotated[str, typer.Argument(help="The person's id (slug).")],
    limit: Annotated[int, typer.Option(help="How many of the newest items.")] = 20,
) -> None:
    """List a person's in-app inbox, newest first, as they see it in the page header."""
    from aligna.channels.inbox import items, unread_count
    from aligna.db import session_scope

    engine = _engine()
    try:
        with session_scope(engine) as session:
            found = session.scalar(select(m.Person.id).where(m.Person.slug == person))
            if found is None:
                raise fail(f"no person has the id {person!r}")
            unread = unread_count(session=session, person_id=found)
            rows = items(session=session, person_id=found, limit=limit)
            table = Table(title=f"{person}: {unread} unread")
            for column in ("", "received", "subject", "link"):
                table.add_column(column)
            for item in rows:
                table.add_row(
                    "" if item.read_at else "●",
                    item.created_at.strftime("%Y-%m-%d %H:%M"),
                    escape(item.message.subject),
                    item.message.link,
                )
    finally:
        engine.dispose()
    console.print(table)


@messages_app.callback()
def messages_overview(
    ctx: typer.Context,
    dead: Annotated[bool, typer.Option("--dead", help="List the dead letters.")] = False,
    limit: Annotated[int, typer.Option(help="How many dead letters to list.")] = 50,
) -> None:
    """Count the outbox's messages by transport and state; --dead lists the dead letters."""
    if ctx.invoked_subcommand is not None:
        return
    from aligna.channels.outbox import dead as is_dead
    from aligna.channels.outbox import transport_counts
    from aligna.db import session_scope

    x = m.Message
    engine = _engine()
    try:
        with session_scope(engine) as session:
            counts = transport_counts(session)
            letters = (
                session.execute(
                    select(x.id, x.transport, x.subject, x.attempts, x.last_error)
                    .where(is_dead())
                    .order_by(x.dead_at.desc())
                    .limit(limit)
                ).all()
                if dead
                else []
            )
    finally:
        engine.dispose()
    table = Table(title="Outbox")
    for column in ("transport", "pending", "sent", "dead"):
        table.add_column(column, justify="left" if column == "transport" else "right")
    for row in counts:
        table.add_row(row.transport, str(row.pending), str(row.sent), str(row.dead))
    console.print(table)
    if dead:
        letters_table = Table(title="Dead letters")
        for column in ("id", "transport", "subject", "attempts", "last error"):
            letters_table.add_column(column)
        for row in letters:
            letters_table.add_row(
                str(row.id),
                str(row.transport),
                escape(row.subject),
                str(row.attempts),
                escape(row.last_error),
            )
        console.print(letters_table)


@messages_app.command(name="retry")
def retry_command(
    ids: Annotated[list[int] | None, typer.Argument(help="The dead letters' ids.")] = None,
    all_dead: Annotated[bool, typer.Option("--all", help="Retry every dead letter.")] = False,
) -> None:
    """Give dead letters a fresh set of attempts, due now."""
    from aligna.channels.outbox import retry_dead
    from aligna.db import session_scope

    if not ids and not all_dead:
        raise fail("name the dead letters to retry (aligna messages --dead lists them), or --all")
    engine = _engine()
    try:
        with session_scope(engine) as session:
            revived = retry_dead(session=session, message_ids=None if all_dead else ids)
    finally:
        engine.dispose()
    console.print(f"{revived} dead letter{'s' if revived != 1 else ''} will be sent again")
