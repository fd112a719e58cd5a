"""The dead letters as admins see them: to whom, what, and their (already masked) errors.
The counts by transport and retrying are the outbox's own (channels/outbox.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from aligna import model as m
from aligna.channels.outbox import dead


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


def dead_letters_query() -> Select[Any]:
    """The dead letters, the most recently dead first, with whom they were for (page it with
    pages.common.paginate and turn each row into a DeadLetter with `letter`)."""
    msg = m.Message
    return (
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
        .where(dead())
        .order_by(msg.dead_at.desc(), msg.id.desc())
    )


def letter(row: Any) -> DeadLetter:
    """A dead letter of a row of dead_letters_query."""
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
