"""Reminders: milestones due soon, told to the initiative's owner and the people around it.

Each milestone is reminded of once per due date (the event key holds both), so a reminder job
that runs every day, or twice, tells people once; moving the due date reminds them again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from aligna import model as m
from aligna.channels.sql import insert_ignoring
from aligna.db import session_scope
from aligna.enums import EventKind
from aligna.settings import Settings


def remind(engine: Engine, settings: Settings, *, now: datetime) -> dict[str, int]:
    """Write a `milestone_due_soon` event for each unfinished milestone due within the window."""
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    until = today + timedelta(days=settings.milestone_reminder_days)
    with session_scope(engine) as session:
        rows = session.execute(
            select(m.Milestone.id, m.Milestone.initiative_id, m.Milestone.due, m.Milestone.name)
            .join(m.Initiative, m.Initiative.id == m.Milestone.initiative_id)
            .where(
                m.Initiative.archived_at.is_(None),
                m.Milestone.percent_complete < 100,
                m.Milestone.due >= today,
                m.Milestone.due <= until,
            )
        ).all()
        events = [
            {
                "key": f"milestone_due_soon:milestone={milestone}:due={due.isoformat()}",
                "kind": EventKind.milestone_due_soon,
                "at": now,
                "initiative_id": initiative,
                "milestone_id": milestone,
                "period": due.isoformat(),
                "detail": f"{name} is due on {due.isoformat()} "
                f"({_days((due - today).days)}) and is not complete yet.",
                "actor": "aligna",
                "note": "",
            }
            for milestone, initiative, due, name in rows
        ]
        written = insert_ignoring(session, m.ChannelEvent, events, "key") if events else 0
    return {"due_soon": len(rows), "reminded": written}


def _days(days: int) -> str:
    if days == 0:
        return "today"
    return "tomorrow" if days == 1 else f"in {days} days"
