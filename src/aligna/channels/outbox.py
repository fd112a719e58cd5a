"""The outbox: messages written with the events that cause them, sent later with retries.

Delivery is at least once with a stable identity: a message is marked sent in its own short
transaction right after its transport accepts it, so a worker killed in between sends it again
after its claim expires, under the same idempotency key (for email the same Message-ID, which
receivers can use to drop the repeat). Nothing is lost: a failure only delays the next attempt,
and after the last one the message is dead-lettered for an admin to retry.

A round opens each transport's batch (see transports/base.py) at its first message and closes
it at the end, so email reuses one SMTP connection for the whole round.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType

from sqlalchemy import ColumnElement, Connection, Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from aligna.channels.masking import ERROR_LENGTH
from aligna.channels.sql import insert_ignoring
from aligna.channels.transports.base import BatchingTransport, Sender, SendResult, Transport
from aligna.db import session_scope
from aligna.enums import TransportName
from aligna.model import Message
from aligna.model.base import utcnow

MAX_ATTEMPTS = 8  # the default of the delivery_max_attempts setting
CLAIM_EXPIRY = timedelta(minutes=10)
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=6)
JITTER = 0.1
CHUNK = 500


@dataclass(frozen=True)
class NewMessage:
    """A message to write to the outbox; its idempotency key makes writing it twice a no-op."""

    idempotency_key: str
    person_id: int | None  # None: to a unit's Apprise destination
    transport: TransportName
    subject: str
    body_text: str
    event_kind: str
    body_html: str | None = None
    link: str = ""
    due_at: datetime | None = None  # None: as soon as possible
    destination_id: int | None = None  # the Apprise destination, for that transport


@dataclass
class DeliveryReport:
    """What one delivery round did, by message id."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # will be tried again
    dead: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)  # claimed but left for the next round

    @property
    def claimed(self) -> int:
        """How many messages the round claimed."""
        return len(self.sent) + len(self.failed) + len(self.dead) + len(self.released)


def enqueue(
    *, session: Session, messages: Sequence[NewMessage], now: datetime | None = None
) -> int:
    """Write messages in the caller's transaction; returns how many were new (not duplicates)."""
    at = now or utcnow()
    rows: dict[str, dict[str, object]] = {}
    for message in messages:
        rows.setdefault(
            message.idempotency_key,
            {
                "idempotency_key": message.idempotency_key,
                "person_id": message.person_id,
                "destination_id": message.destination_id,
                "transport": TransportName(message.transport),
                "subject": message.subject,
                "body_text": message.body_text,
                "body_html": message.body_html,
                "link": message.link,
                "event_kind": message.event_kind,
                "created_at": at,
                "due_at": message.due_at or at,
                "attempts": 0,
                "last_error": "",
            },
        )
    if not rows:
        return 0
    return insert_ignoring(session, Message, list(rows.values()), "idempotency_key")


def claim(
    *,
    session: Session,
    worker: str,
    now: datetime,
    limit: int = 100,
    expiry: timedelta = CLAIM_EXPIRY,
) -> list[Message]:
    """Claim up to limit due messages for a worker, so no other worker sends them meanwhile."""
    claimable = (
        Message.sent_at.is_(None),
        Message.dead_at.is_(None),
        Message.due_at <= now,
        or_(Message.claimed_at.is_(None), Message.claimed_at < now - expiry),
    )
    # One UPDATE: on PostgreSQL the rows another worker is claiming are skipped, not waited
    # for; SQLite renders no FOR UPDATE and serialises writers anyway.
    candidates = (
        select(Message.id)
        .where(*claimable)
        .order_by(Message.due_at, Message.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        # A CTE runs once; as a plain IN subquery PostgreSQL may rescan it inside the UPDATE,
        # and each rescan skips the rows just claimed and picks the next ones, past the limit.
        .cte("candidates")
    )
    claimed = session.execute(
        update(Message)
        .where(Message.id.in_(select(candidates.c.id)), *claimable)
        .values(claimed_at=now, claimed_by=worker)
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    ).scalars()
    ids = list(claimed)
    if not ids:
        return []
    query = (
        select(Message)
        .where(Message.id.in_(ids))
        .options(selectinload(Message.person), selectinload(Message.destination))
        .order_by(Message.due_at, Message.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def backoff(
    attempts: int, *, jitter: float = JITTER, rng: random.Random | None = None
) -> timedelta:
    """The wait after a message's attempts-th failure: 1 min doubling each time, at most 6 h."""
    delay = min(FIRST_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)
    if jitter:
        # Spread the retries of messages that failed together, so they do not return together.
        delay *= 1 + (rng or random.Random()).uniform(-jitter, jitter)
    return delay


def deliver_due(
    *,
    engine: Engine,
    transports: dict[str, Transport],
    worker: str,
    now: Callable[[], datetime] = utcnow,
    limit: int = 100,
    max_attempts: int = MAX_ATTEMPTS,
    expiry: timedelta = CLAIM_EXPIRY,
    jitter: float = JITTER,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """Send the messages that are due, each marked in its own short transaction."""
    rng = rng or random.Random()
    started = now()
    with session_scope(engine) as session:
        messages = claim(session=session, worker=worker, now=started, limit=limit, expiry=expiry)
    report = DeliveryReport()
    if not messages:
        return report
    # One database connection for the round's marks, each still its own transaction: checking
    # a connection out per message (and pinging it, on PostgreSQL) cost as much as the mark.
    with Round(transports) as senders, engine.connect() as connection:
        for index, message in enumerate(messages):
            # Stop well before the claim expires, or another worker would send the rest as well.
            if now() - started > expiry / 2:
                _release(connection, [m.id for m in messages[index:]], worker)
                report.released.extend(m.id for m in messages[index:])
                break
            result = senders.send(message)
            if result.ok:
                _mark_sent(connection, message.id, now())
                report.sent.append(message.id)
                continue
            attempts = message.attempts + 1
            at = now()
            dead = attempts >= max_attempts
            due = at if dead else at + backoff(attempts, jitter=jitter, rng=rng)
            _mark_failed(connection, message.id, attempts, result.error, due, at if dead else None)
            (report.dead if dead else report.failed).append(message.id)
    return report


def dead() -> ColumnElement[bool]:
    """The condition of a dead letter: out of attempts, never sent."""
    return and_(Message.dead_at.is_not(None), Message.sent_at.is_(None))


def retry_dead(
    *, session: Session, message_ids: Sequence[int] | None, now: datetime | None = None
) -> int:
    """Give dead letters (these, or all when None) a fresh set of attempts, due now; how many
    were revived."""
    at = now or utcnow()
    revive = (
        update(Message)
        .where(dead())
        .values(dead_at=None, attempts=0, due_at=at, claimed_at=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    if message_ids is None:
        return session.execute(revive).rowcount  # type: ignore[attr-defined]
    ids = list(message_ids)
    revived = 0
    for start in range(0, len(ids), CHUNK):  # an IN list within every driver's limits
        chunk = revive.where(Message.id.in_(ids[start : start + CHUNK]))
        revived += session.execute(chunk).rowcount  # type: ignore[attr-defined]
    return revived


@dataclass(frozen=True)
class TransportCounts:
    """Messages of one transport by state."""

    transport: str
    pending: int
    sent: int
    dead: int


def transport_counts(session: Session) -> list[TransportCounts]:
    """Pending, sent and dead messages per transport, in one statement."""
    rows = session.execute(
        select(
            Message.transport,
            func.count().filter(Message.sent_at.is_(None), Message.dead_at.is_(None)),
            func.count().filter(Message.sent_at.is_not(None)),
            func.count().filter(dead()),
        )
        .group_by(Message.transport)
        .order_by(Message.transport)
    ).all()
    return [TransportCounts(str(t), int(p), int(s), int(d)) for t, p, s, d in rows]


class Round:
    """The senders of one delivery round: each transport's batch, opened at its first message."""

    def __init__(self, transports: dict[str, Transport]) -> None:
        self.transports = transports
        self.senders: dict[str, Sender] = {}
        self.batches: list[AbstractContextManager[Sender]] = []

    def __enter__(self) -> Round:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def send(self, message: Message) -> SendResult:
        """One transport call; a missing or misbehaving transport fails, it does not crash."""
        name = str(message.transport)
        transport = self.transports.get(name)
        if transport is None:
            return SendResult(ok=False, error=f"no {message.transport} transport is configured")
        try:
            return self._sender(name, transport).send(message)
        except Exception as exc:  # transports must not raise; one that does fails only its message
            return SendResult(ok=False, error=f"{type(exc).__name__} in transport")

    def close(self) -> None:
        """Close every batch opened, last first; closing is best effort and never raises."""
        while self.batches:
            batch = self.batches.pop()
            # The round's messages are marked already: a batch failing to close changes nothing.
            with suppress(Exception):
                batch.__exit__(None, None, None)
        self.senders.clear()

    def _sender(self, name: str, transport: Transport) -> Sender:
        """The transport's sender for this round: its batch when it has one, else itself."""
        sender = self.senders.get(name)
        if sender is None:
            sender = transport
            if isinstance(transport, BatchingTransport):
                batch = transport.batch()
                sender = batch.__enter__()
                self.batches.append(batch)
            self.senders[name] = sender
        return sender


def _mark_sent(connection: Connection, message_id: int, at: datetime) -> None:
    """Record a send at once, so a crash after it cannot send the message again."""
    # Core on the round's connection, not a Session: this runs once per message sent, and a
    # Session's set-up cost as much as the UPDATE itself (benchmarks/channels.py).
    with connection.begin():
        connection.execute(
            update(Message)
            .where(Message.id == message_id, Message.sent_at.is_(None))
            .values(sent_at=at, last_error="", claimed_at=None, claimed_by=None)
        )


def _mark_failed(
    connection: Connection,
    message_id: int,
    attempts: int,
    error: str,
    due: datetime,
    dead: datetime | None,
) -> None:
    """Record a failed attempt and when to try next (or that there is no next)."""
    with connection.begin():
        connection.execute(
            update(Message)
            .where(Message.id == message_id, Message.sent_at.is_(None))
            .values(
                attempts=attempts,
                last_error=error[:ERROR_LENGTH],
                due_at=due,
                dead_at=dead,
                claimed_at=None,
                claimed_by=None,
            )
        )


def _release(connection: Connection, message_ids: list[int], worker: str) -> None:
    """Give back claims this worker will not get to, for the next round."""
    with connection.begin():
        connection.execute(
            update(Message)
            .where(Message.id.in_(message_ids), Message.claimed_by == worker)
            .values(claimed_at=None, claimed_by=None)
        )
