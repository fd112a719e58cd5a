"""The outbox as admins see it: how many messages wait, went out or died, by transport, and the
dead letters with their (already masked) errors."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.channels.outbox import retry_dead

PAGE_SIZE = 50
CHUNK = 500


@dataclass(frozen=True)
class TransportCounts:
    """Messages of one transport by state."""

    transport: str
    pending: int
    sent: int
    dead: int


@dataclass(frozen=True)
class DeadLetter:
    """A message that failed its last attempt: to whom, what, and the last error."""

    id: int
    transport: str
    person: str | None  # the person's id (slug), for a link
    to: str  # the person's name, or the Apprise destination's description
    subject: str
    attempts: int
    last_error: str
    created_at: datetime
    dead_at: datetime | None


@dataclass(frozen=True)
class DeadLetters:
    """One page of dead letters, newest first."""

    rows: list[DeadLetter]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are."""
        return max(1, math.ceil(self.total / self.size))


def _dead() -> ColumnElement[bool]:
    return and_(m.Message.dead_at.is_not(None), m.Message.sent_at.is_(None))


def transport_counts(session: Session) -> list[TransportCounts]:
    """Pending, sent and dead messages per transport, in one statement."""
    msg = m.Message
    rows = session.execute(
        select(
            msg.transport,
            func.count().filter(msg.sent_at.is_(None), msg.dead_at.is_(None)),
            func.count().filter(msg.sent_at.is_not(None)),
            func.count().filter(_dead()),
        )
        .group_by(msg.transport)
        .order_by(msg.transport)
    ).all()
    return [TransportCounts(str(t), int(p), int(s), int(d)) for t, p, s, d in rows]


def dead_letters(session: Session, page: int) -> DeadLetters:
    """One page of dead letters, the most recently dead first."""
    msg = m.Message
    total = session.execute(select(func.count()).select_from(msg).where(_dead())).scalar_one()
    number = min(max(1, page), max(1, math.ceil(total / PAGE_SIZE)))
    rows = session.execute(
        select(
            msg.id,
            msg.transport,
            msg.subject,
            msg.attempts,
            msg.last_error,
            msg.created_at,
            msg.dead_at,
            m.Person.slug,
            m.Person.name,
            m.AppriseDestination.description,
            m.Unit.name.label("unit_name"),
        )
        .outerjoin(m.Person, m.Person.id == msg.person_id)
        .outerjoin(m.AppriseDestination, m.AppriseDestination.id == msg.destination_id)
        .outerjoin(m.Unit, m.Unit.id == m.AppriseDestination.unit_id)
        .where(_dead())
        .order_by(msg.dead_at.desc(), msg.id.desc())
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
    ).all()
    return DeadLetters([_letter(r) for r in rows], number, PAGE_SIZE, total)


def _letter(row: Any) -> DeadLetter:
    if row.name:
        to = row.name
    else:
        where = f" of {row.unit_name}" if row.unit_name else ""
        to = f"Apprise destination{where}: {row.description or 'no description'}"
    return DeadLetter(
        id=row.id,
        transport=str(row.transport),
        person=row.slug,
        to=to,
        subject=row.subject,
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=row.created_at,
        dead_at=row.dead_at,
    )


def retry(session: Session, *, ids: list[int] | None, now: datetime) -> int:
    """Give dead letters (these, or all when ids is None) fresh attempts; how many revived."""
    if ids is None:
        ids = list(session.execute(select(m.Message.id).where(_dead())).scalars())
    revived = 0
    for start in range(0, len(ids), CHUNK):
        revived += retry_dead(session=session, message_ids=ids[start : start + CHUNK], now=now)
    return revived
