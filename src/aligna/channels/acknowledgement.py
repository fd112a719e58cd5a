"""What an owner (or a manager up the line) does with an exception: acknowledge it with a
note, or turn it into a commitment with a deadline. Either stops its climb; each is an event on
its timeline, written in the same transaction as the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.channels.events import person_event_row, write_events
from aligna.channels.reporting_line import line_above
from aligna.enums import EventKind

NOTE_LENGTH = 4000
MAX_LINE = 20  # how far up the reporting line someone may act for an owner


class ExceptionActionError(ValueError):
    """An acknowledgement or commitment that cannot be made, and why."""


@dataclass(frozen=True)
class Action:
    """Who acts on an exception: the person, and how the audit names them."""

    person_id: int | None
    actor: str


def may_act(session: Session, exception: m.PerformanceException, person_id: int | None) -> bool:
    """The owner and any manager above the owner may acknowledge or commit."""
    if person_id is None or exception.owner_id is None:
        return False
    if person_id == exception.owner_id:
        return True
    line = line_above(session, exception.owner_id, MAX_LINE)
    return any(manager == person_id for manager, _, _ in line)


def _open_exception(session: Session, exception_id: int) -> m.PerformanceException:
    exception = session.scalar(
        select(m.PerformanceException)
        .where(m.PerformanceException.id == exception_id)
        .with_for_update()
    )
    if exception is None:
        raise ExceptionActionError(f"there is no exception {exception_id}")
    if exception.closed_at is not None:
        raise ExceptionActionError(
            f"exception {exception_id} is already resolved: its cause went away"
        )
    return exception


def _note(text: str, what: str) -> str:
    cleaned = text.strip()
    if len(cleaned) > NOTE_LENGTH:
        raise ExceptionActionError(f"the {what} is too long: at most {NOTE_LENGTH} characters")
    return cleaned


def acknowledge(
    session: Session, *, exception_id: int, by: Action, note: str, now: datetime
) -> m.PerformanceException:
    """Acknowledge an open exception with a note; it stops climbing the reporting line."""
    exception = _open_exception(session, exception_id)
    text = _note(note, "note")
    if not text:
        raise ExceptionActionError("say in a note what is being done about it")
    return _acknowledged(session, exception, EventKind.exception_acknowledged, by, now, text)


def commit(
    session: Session,
    *,
    exception_id: int,
    by: Action,
    commitment: str,
    deadline: date,
    today: date,
    now: datetime,
) -> m.PerformanceException:
    """Turn an open exception into a commitment with a deadline; missing it resumes the climb."""
    exception = _open_exception(session, exception_id)
    text = _note(commitment, "commitment")
    if not text:
        raise ExceptionActionError("say what will be done by the deadline")
    if deadline < today:
        raise ExceptionActionError(
            f"the deadline {deadline.isoformat()} has passed: choose today or a later day"
        )
    exception.commitment = text
    exception.commitment_due = deadline
    return _acknowledged(session, exception, EventKind.exception_committed, by, now, text, deadline)


def _acknowledged(
    session: Session,
    exception: m.PerformanceException,
    kind: EventKind,
    by: Action,
    now: datetime,
    note: str,
    deadline: date | None = None,
) -> m.PerformanceException:
    """Stop the climb and put the step on the timeline, in the caller's transaction."""
    exception.acknowledged_at = now
    exception.acknowledged_by_id = by.person_id
    write_events(
        session,
        [
            person_event_row(
                kind,
                exception_id=exception.id,
                kpi_id=exception.kpi_id,
                unit_id=exception.unit_id,
                initiative_id=exception.initiative_id,
                level=exception.level,
                actor_person_id=by.person_id,
                actor=by.actor,
                now=now,
                note=note,
                deadline=deadline,
            )
        ],
    )
    session.flush()
    return exception


def timeline(session: Session, exception_id: int) -> list[dict[str, object]]:
    """Every step of an exception, oldest first: opened, escalated, acknowledged, resolved ..."""
    e = m.ChannelEvent
    rows = session.execute(
        select(e, m.Person.name, m.Person.slug)
        .outerjoin(m.Person, m.Person.id == e.actor_person_id)
        .where(e.exception_id == exception_id)
        .order_by(e.at, e.id)
    ).all()
    return [
        {
            "kind": event.kind,
            "at": event.at,
            "level": event.level,
            "actor": name or event.actor,
            "actor_person": slug,
            "note": event.note,
            "deadline": event.deadline,
            "detail": event.detail,
        }
        for event, name, slug in rows
    ]
