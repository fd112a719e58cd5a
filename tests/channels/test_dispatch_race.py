"""Dispatchers racing each other tell everyone once, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from channel_org import build_org
from sqlalchemy import Engine, func, select

from aligna import model as m
from aligna.channels.dispatch import dispatch_events
from aligna.channels.events import write_events
from aligna.db import session_scope
from aligna.enums import EventKind
from aligna.settings import Settings

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_four_dispatchers_at_once_write_each_notification_once(engine: Engine) -> None:
    org = build_org(engine)
    with session_scope(engine) as session:
        write_events(
            session,
            [
                {
                    "kind": EventKind.status_changed,
                    "at": NOW,
                    "kpi_id": org.kpi,
                    "period": f"2026-{month:02d}",
                    "status_from": "on_track",
                    "status_to": "at_risk",
                }
                for month in range(1, 13)
            ]
            * 10,
        )
    errors: list[BaseException] = []
    totals: list[int] = []

    def dispatch() -> None:
        try:
            totals.append(dispatch_events(engine, Settings(), now=NOW, batch=7).events)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=dispatch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sum(totals) == 120  # every event dispatched by exactly one of them
    with session_scope(engine) as session:
        notifications = session.scalar(select(func.count()).select_from(m.Notification))
        pending = session.scalar(select(func.count()).where(m.ChannelEvent.dispatched_at.is_(None)))
    # Olga (owner), Ines (influencer) and Fred (follower) hear of each of the 120 events.
    assert (notifications, pending) == (360, 0)
