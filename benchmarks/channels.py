"""Benchmark: the channels: building every person's digest, and delivering the outbox by
email and to the in-app inbox.

Usage: python benchmarks/channels.py [--sections delivery,digests] [--people 2000]
                                     [--messages 5000] [--limit 500] [--postgresql]
                                     [--digest-people 100000] [--dir DIR]

The delivery section runs on a fresh temporary SQLite app database, and with --postgresql also
on a throwaway PostgreSQL cluster, and prints one line per figure:

- delivery: a unit and --people people are inserted, --messages email messages (plain text
  and HTML, 2-4 KB each) are enqueued with `outbox.enqueue`, and `deliver_due` rounds of
  --limit messages run until the outbox is empty, against a local aiosmtpd server that only
  counts (messages, connections), in a process of its own; then the same number of inbox
  messages. Goal: at least 200 email messages per second to a local SMTP server. --compare
  also sends --limit email messages with a connection per message (the transport without its
  batch), for scale.

- digests: the --digest-people demo organisation (built, applied, refreshed and evaluated
  once in --dir, the folder benchmarks/web.py uses too), copied; the first evaluation's events
  dispatched, exceptions escalated eight days on, then every person's digest built (read and
  rendered as text and HTML) and written to the outbox. Goal: building every person's digest
  of the 100,000-person demo in at most 60 s.

Sections are functions `bench_<name>(args) -> dict` in SECTIONS.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

GOAL_EMAIL_PER_S = 200.0
PARAGRAPH = (
    "Revenue per employee is {value:.1f}k EUR in {period}, {gap:.1f}% under its target of "
    "{target:.1f}k EUR and below the red flag for the second month running. Its owner, "
    "{owner}, is asked to acknowledge the exception and to say what will be done. "
)


# --- shared set-up: databases and an organisation ------------------------------------------


@contextlib.contextmanager
def databases(args: argparse.Namespace, name: str) -> Iterator[list[tuple[str, Any]]]:
    """(label, engine) of a fresh, migrated app database on each backend asked for."""
    from aligna.db import open_database
    from aligna.throwaway_postgres import create_database

    with tempfile.TemporaryDirectory(prefix=f"aligna-bench-{name}-") as tmp:
        urls = [("SQLite", f"sqlite:///{Path(tmp) / 'aligna.db'}")]
        if args.postgres_server:
            urls.append(("PostgreSQL", create_database(args.postgres_server, f"bench_{name}")))
        engines = []
        try:
            for label, url in urls:
                engines.append((label, open_database(url)))
            yield engines
        finally:
            for _, engine in engines:
                engine.dispose()


def organisation(engine: Any, people: int) -> list[int]:
    """Insert one unit and its people (with emails); their ids."""
    from sqlalchemy import insert, select

    from aligna.model import Person, Unit

    with engine.begin() as connection:
        unit_id = connection.execute(
            insert(Unit).values(slug="org", name="Org", kind="company").returning(Unit.id)
        ).scalar_one()
        connection.execute(
            insert(Person),
            [
                {
                    "slug": f"p{n}",
                    "name": f"Person {n}",
                    "email": f"person{n}@org.test",
                    "unit_id": unit_id,
                }
                for n in range(people)
            ],
        )
        return list(connection.execute(select(Person.id).order_by(Person.id)).scalars())


# --- delivery ---------------------------------------------------------------------------------


class CountingHandler:
    """An aiosmtpd handler that keeps nothing: it counts connections (EHLOs), messages and
    bytes into counters shared with the benchmark's process."""

    def __init__(self, counts: Any) -> None:
        self.counts = counts  # multiprocessing Array: connections, messages, bytes

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        with self.counts.get_lock():
            self.counts[0] += 1
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.counts.get_lock():
            self.counts[1] += 1
            self.counts[2] += len(envelope.content)
        return "250 Message accepted for delivery"


class ServerCounts:
    """What the local SMTP server counted so far."""

    def __init__(self, counts: Any) -> None:
        self.counts = counts

    @property
    def connections(self) -> int:
        """Connections opened (one EHLO each)."""
        return int(self.counts[0])

    @property
    def messages(self) -> int:
        """Messages accepted."""
        return int(self.counts[1])

    @property
    def bytes(self) -> int:
        """Bytes of the messages accepted."""
        return int(self.counts[2])


def serve_smtp(port: int, counts: Any, ready: Any, stop: Any) -> None:
    """In a process of its own: a counting aiosmtpd server on the port, until told to stop."""
    from aiosmtpd.controller import Controller

    controller = Controller(CountingHandler(counts), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[int, ServerCounts]]:
    """A local aiosmtpd server on a free port of 127.0.0.1; its port and counts.

    It runs in a process of its own, as a mail server would: in the benchmark's process its
    parsing would compete for the interpreter lock with the delivery being measured.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    spawn = multiprocessing.get_context("spawn")
    counts = spawn.Array("q", 3)
    ready, stop = spawn.Event(), spawn.Event()
    process = spawn.Process(target=serve_smtp, args=(port, counts, ready, stop), daemon=True)
    process.start()
    try:
        if not ready.wait(60):
            raise RuntimeError("the local SMTP server did not start")
        yield port, ServerCounts(counts)
    finally:
        stop.set()
        process.join(10)
        if process.is_alive():
            process.kill()


def bodies(n: int, rng: Any) -> tuple[str, str]:
    """A realistic message: 4-8 paragraphs of plain text (2-4 KB) and the same as HTML."""
    paragraphs = [
        PARAGRAPH.format(
            value=rng.uniform(80, 140),
            period=f"2026-{rng.randint(1, 12):02d}",
            gap=rng.uniform(1, 20),
            target=rng.uniform(100, 150),
            owner=f"Person {rng.randint(0, 9999)}",
        )
        for _ in range(rng.randint(4, 8))
    ]
    text = f"Hello,\n\n{chr(10).join(paragraphs)}\n\nhttps://aligna.example.org/kpis/k{n}\n"
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    html += f'<p><a href="https://aligna.example.org/kpis/k{n}">Open the KPI</a></p>'
    return text, html


class OnePerMessage:
    """A transport without its batch: each message opens, logs in and closes a connection."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport

    def send(self, message: Any) -> Any:
        """Send over a connection of the message's own."""
        return self.transport.send(message)


def enqueue_messages(
    engine: Any, person_ids: list[int], count: int, transport: str, prefix: str = "bench"
) -> float:
    """Write count messages to the outbox in one transaction; the seconds it took."""
    import random

    from aligna.channels.outbox import NewMessage, enqueue
    from aligna.db import session_scope
    from aligna.enums import TransportName

    rng = random.Random(7)
    messages = []
    for n in range(count):
        text, html = bodies(n, rng)
        messages.append(
            NewMessage(
                idempotency_key=f"{prefix}-{transport}-{n}",
                person_id=person_ids[n % len(person_ids)],
                transport=TransportName(transport),
                subject=f"Revenue per employee is off track ({n})",
                body_text=text,
                body_html=html,
                link=f"/kpis/k{n}",
                event_kind="kpi_off_track",
            )
        )
    started = time.perf_counter()
    with session_scope(engine) as session:
        written = enqueue(session=session, messages=messages)
    assert written == count, (written, count)
    return time.perf_counter() - started


def drain(engine: Any, transports: dict[str, Any], limit: int) -> dict[str, Any]:
    """Run delivery rounds until nothing is due; what they did and how long it took."""
    from aligna.channels.outbox import deliver_due

    sent = failed = rounds = 0
    started = time.perf_counter()
    while True:
        report = deliver_due(engine=engine, transports=transports, worker="bench", limit=limit)
        if not report.claimed:
            break
        rounds += 1
        sent += len(report.sent)
        failed += len(report.failed) + len(report.dead)
        if report.failed or report.dead:
            break  # failures are due again only after their backoff: stop, and say so
    seconds = time.perf_counter() - started
    return {"sent": sent, "failed": failed, "rounds": rounds, "seconds": seconds}


def bench_delivery(args: argparse.Namespace) -> dict[str, Any]:
    """Email and inbox delivery of --messages messages each, per backend."""
    from aligna.channels.transports import InboxTransport, SmtpTransport

    figures: dict[str, Any] = {}
    with databases(args, "delivery") as backends:
        for label, engine in backends:
            person_ids = organisation(engine, args.people)
            enqueued = enqueue_messages(engine, person_ids, args.messages, "email")
            with smtp_server() as (port, handler):
                transport = SmtpTransport(
                    host="127.0.0.1", port=port, security="none", mail_from="aligna@org.test"
                )
                email = drain(engine, {"email": transport}, args.limit)
                email.update(connections=handler.connections, received=handler.messages)
                email["mean KB"] = handler.bytes / max(handler.messages, 1) / 1024
            email["enqueue s"] = enqueued
            _report(f"{label} email", email, goal=True)
            if args.compare:
                enqueued = enqueue_messages(engine, person_ids, args.limit, "email", "fresh")
                with smtp_server() as (port, handler):
                    transport = SmtpTransport(
                        host="127.0.0.1", port=port, security="none", mail_from="aligna@org.test"
                    )
                    fresh = drain(engine, {"email": OnePerMessage(transport)}, args.limit)
                    fresh.update(connections=handler.connections, received=handler.messages)
                    fresh["mean KB"] = handler.bytes / max(handler.messages, 1) / 1024
                fresh["enqueue s"] = enqueued
                _report(f"{label} email, a connection each", fresh, goal=False)
            enqueued = enqueue_messages(engine, person_ids, args.messages, "inbox")
            inbox = drain(engine, {"inbox": InboxTransport(engine)}, args.limit)
            inbox["enqueue s"] = enqueued
            _report(f"{label} inbox", inbox, goal=False)
            figures[label] = {"email": email, "inbox": inbox}
            if args.compare:
                figures[label]["email, a connection each"] = fresh
    return figures


def _report(label: str, figures: dict[str, Any], *, goal: bool) -> None:
    """Print one backend's figures for one transport, as one line."""
    rate = figures["sent"] / figures["seconds"] if figures["seconds"] else 0.0
    figures["messages/s"] = rate
    line = (
        f"  {label:<34} {figures['sent']:>6,} messages in {figures['seconds']:6.2f} s "
        f"= {rate:7.1f} messages/s, {figures['rounds']} rounds"
    )
    if "connections" in figures:
        line += (
            f", {figures['connections']} SMTP connections, {figures['received']:,} received "
            f"({figures['mean KB']:.1f} KB each)"
        )
    line += f"; enqueue {figures['enqueue s']:.2f} s"
    if figures["failed"]:
        line += f"; !!! {figures['failed']} FAILED"
    if goal:
        ok = rate >= GOAL_EMAIL_PER_S and not figures["failed"]
        line += f" [goal >= {GOAL_EMAIL_PER_S:.0f}/s: {'met' if ok else 'NOT MET'}]"
    print(line, flush=True)


# --- digests ----------------------------------------------------------------------------------

GOAL_DIGEST_S = 60.0


def bench_digests(args: argparse.Namespace) -> dict[str, Any]:
    """Every person's digest on the --digest-people demo: events dispatched, exceptions escalated
    a week on, then one digest per person built (read + render) and written to the outbox."""
    import shutil

    from aligna.channels.digest import write_digests
    from aligna.channels.dispatch import dispatch_events
    from aligna.channels.escalation import escalate
    from aligna.db import open_database
    from aligna.model.base import utcnow
    from aligna.settings import load_settings
    from web import prepare_sqlite

    folder = Path(
        args.dir or Path(tempfile.gettempdir()) / f"aligna-bench-web-{args.digest_people}"
    )
    # The same demo folder as benchmarks/web.py: built, applied, refreshed and evaluated once.
    prepare_sqlite(folder, args.digest_people, 7, fresh=False)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="aligna-bench-digests-") as tmp:
        # A copy, so the prepared demo stays as the web benchmark expects it.
        copy = Path(tmp) / "aligna.db"
        shutil.copyfile(folder / "aligna.db", copy)
        settings = load_settings(folder, database_url=f"sqlite:///{copy}")
        settings = settings.model_copy(update={"smtp_host": "127.0.0.1"})  # render email too
        engine = open_database(f"sqlite:///{copy}")
        try:
            now = utcnow()
            started = time.perf_counter()
            opened = dispatch_events(engine, settings, now=now)
            figures["dispatch s"] = time.perf_counter() - started
            week = now + timedelta(days=8)
            started = time.perf_counter()
            climbed = escalate(engine, settings, now=week)
            escalated = dispatch_events(engine, settings, now=week)
            figures["escalate s"] = time.perf_counter() - started
            print(
                f"  set-up: {opened.events:,} events dispatched ({opened.notifications:,} "
                f"notifications) in {figures['dispatch s']:.2f} s; {climbed.escalated:,} "
                f"escalations ({escalated.notifications:,} notifications) in "
                f"{figures['escalate s']:.2f} s",
                flush=True,
            )
            summary = write_digests(engine, settings, now=week, everyone=True)
        finally:
            engine.dispose()
    build = summary.seconds["read"] + summary.seconds["render"]
    figures.update(
        people=summary.due,
        written=summary.written,
        empty=summary.empty,
        messages=summary.messages,
        **{f"{k} s": v for k, v in summary.seconds.items()},
    )
    ok = build <= GOAL_DIGEST_S
    print(
        f"  SQLite digests: {summary.due:,} people due, {summary.written:,} digests "
        f"({summary.empty:,} with nothing to say); read {summary.seconds['read']:.2f} s + render "
        f"{summary.seconds['render']:.2f} s = built in {build:.2f} s "
        f"[goal <= {GOAL_DIGEST_S:.0f} s: {'met' if ok else 'NOT MET'}]; with writing "
        f"{summary.messages:,} messages and the marks: {summary.seconds['total']:.2f} s",
        flush=True,
    )
    return figures


SECTIONS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "delivery": bench_delivery,
    "digests": bench_digests,
}


def main() -> None:
    """Run the sections asked for and print their figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument("--limit", type=int, default=500, help="messages per delivery round")
    parser.add_argument(
        "--sections",
        default="delivery",
        help=f"comma-separated, of: {', '.join(SECTIONS)} (default: delivery)",
    )
    parser.add_argument(
        "--digest-people",
        type=int,
        default=100_000,
        help="size of the demo organisation the digests section uses (default 100,000)",
    )
    parser.add_argument(
        "--dir", default=None, help="the digests section's demo folder (shared with web.py)"
    )
    parser.add_argument("--postgresql", action="store_true", help="also on PostgreSQL")
    parser.add_argument(
        "--compare", action="store_true", help="also email with a connection per message"
    )
    args = parser.parse_args()
    names = [name.strip() for name in args.sections.split(",") if name.strip()]
    unknown = [name for name in names if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown sections: {', '.join(unknown)}; known: {', '.join(SECTIONS)}")
    print(
        f"aligna channels benchmark: {args.people:,} people, {args.messages:,} messages, "
        f"rounds of {args.limit}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        flush=True,
    )
    with contextlib.ExitStack() as stack:
        args.postgres_server = None
        if args.postgresql:
            from aligna.throwaway_postgres import PostgresUnavailable, throwaway_cluster

            try:
                args.postgres_server = stack.enter_context(throwaway_cluster())
            except PostgresUnavailable as exc:
                print(f"PostgreSQL: skipped ({exc})")
        for name in names:
            print(f"{name}:", flush=True)
            SECTIONS[name](args)


if __name__ == "__main__":
    main()
