"""Escalation: an exception nobody acknowledges climbs the owner's reporting line.

Level 0 is the owner (influencers informed). Each `days` (by exception kind, from the policy)
without an acknowledgement it climbs one level, to the owner's next manager, up to `levels`
levels or the top of the line. The climb keeps its own rhythm: an exception found three
periods late (the scheduler was down, or the clock was moved on) climbs three levels at once,
each on the timeline. A commitment whose deadline passes while the exception is still open
counts as no acknowledgement any more, and the climb resumes from that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, bindparam, select, update
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.channels.events import person_event_row, write_events
from aligna.channels.policy import escalation_rules
from aligna.channels.reporting_line import managers_above
from aligna.db import session_scope
from aligna.enums import EventKind
from aligna.settings import Settings


@dataclass
class EscalationSummary:
    """What one escalation run did."""

    escalated: int = 0  # levels climbed, all exceptions together
    exceptions: int = 0  # exceptions that climbed
    commitments_missed: int = 0
    at_top: int = 0  # unacknowledged, due to climb, but the reporting line ends


def escalate(engine: Engine, settings: Settings, *, now: datetime) -> EscalationSummary:
    """Resume the escalation of missed commitments, then climb every overdue exception."""
    summary = EscalationSummary()
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    with session_scope(engine) as session:
        rules = escalation_rules(session)
        summary.commitments_missed = _missed_commitments(session, today, now)
        _climb(session, rules, now, summary)
    return summary


def _open_exceptions(session: Session, *conditions: Any) -> list[Any]:
    x = m.PerformanceException
    query = (
        select(
            x.id,
            x.kind,
            x.kpi_id,
            x.unit_id,
            x.initiative_id,
            x.owner_id,
            x.level,
            x.level_since,
            x.opened_at,
            x.commitment_due,
        )
        .where(x.closed_at.is_(None), *conditions)
        .order_by(x.id)
        # Two escalators on PostgreSQL never climb the same exception twice.
        .with_for_update(skip_locked=True)
    )
    return list(session.execute(query))


def _missed_commitments(session: Session, today: Any, now: datetime) -> int:
    x = m.PerformanceException
    rows = _open_exceptions(
        session,
        x.acknowledged_at.is_not(None),
        x.commitment_due.is_not(None),
        x.commitment_due < today,
    )
    if not rows:
        return 0
    session.connection().execute(
        update(x.__table__)
        .where(x.__table__.c.id == bindparam("b_id"))
        .values(acknowledged_at=None, acknowledged_by_id=None, level_since=now),
        [{"b_id": r.id} for r in rows],
    )
    write_events(
        session,
        [
            person_event_row(
                EventKind.commitment_missed,
                exception_id=r.id,
                kpi_id=r.kpi_id,
                unit_id=r.unit_id,
                initiative_id=r.initiative_id,
                level=r.level,
                actor_person_id=None,
                actor="aligna",
                now=now,
                deadline=r.commitment_due,
                detail=f"The commitment was due on {r.commitment_due.isoformat()}.",
            )
            for r in rows
        ],
    )
    return len(rows)


def _climb(
    session: Session, rules: dict[str, tuple[int, int]], now: datetime, summary: EscalationSummary
) -> None:
    x = m.PerformanceException
    rows = [
        r
        for r in _open_exceptions(session, x.acknowledged_at.is_(None), x.owner_id.is_not(None))
        if r.level < rules[r.kind][1]
    ]
    top = max((rules[r.kind][1] for r in rows), default=0)
    lines = managers_above(session, {r.owner_id for r in rows}, top) if rows else {}
    names = (
        dict(
            session.execute(
                select(m.Person.id, m.Person.name).where(
                    m.Person.id.in_(sorted({p for line in lines.values() for p in line}))
                )
            ).all()
        )
        if lines
        else {}
    )
    changed: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for row in rows:
        days, levels = rules[row.kind]
        line = lines.get(row.owner_id, [])
        level = row.level
        since = row.level_since or row.opened_at
        step = timedelta(days=days)
        while level < levels and since + step <= now:
            if len(line) <= level:  # the reporting line ends here
                summary.at_top += 1
                break
            level += 1
            since += step
            manager = line[level - 1]
            events.append(
                # The key makes a second escalator racing this one fail instead of telling
                # the same manager twice.
                {"key": f"exception_escalated:exception={row.id}:level={level}"}
                | person_event_row(
                    EventKind.exception_escalated,
                    exception_id=row.id,
                    kpi_id=row.kpi_id,
                    unit_id=row.unit_id,
                    initiative_id=row.initiative_id,
                    level=level,
                    actor_person_id=None,
                    actor="aligna",
                    now=now,
                    detail=f"Not acknowledged within {days} day{'s' if days != 1 else ''}: "
                    f"escalated to {names.get(manager, 'the next manager')}.",
                )
            )
        if level != row.level:
            changed.append({"b_id": row.id, "b_level": level, "b_since": since})
            summary.exceptions += 1
            summary.escalated += level - row.level
    if changed:
        session.connection().execute(
            update(x.__table__)
            .where(x.__table__.c.id == bindparam("b_id"))
            .values(level=bindparam("b_level"), level_since=bindparam("b_since")),
            changed,
        )
    write_events(session, events)
