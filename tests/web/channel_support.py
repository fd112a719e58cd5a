"""What the channel tests share: accounts for exception owners, the inbox filled by a dispatch,
the demo's open exceptions, and forms posted with the session's CSRF token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, select, update
from web_support import NOW, PASSWORD, WebDemo, csrf_of

from aligna import model as m
from aligna.channels.dispatch import dispatch_events
from aligna.channels.outbox import deliver_due
from aligna.channels.transports.inbox import InboxTransport
from aligna.db import session_scope
from aligna.web.auth.accounts import create_account, find_account


@dataclass(frozen=True)
class OpenException:
    """An open exception of the demo: its id, owner and KPI."""

    id: int
    owner: str  # the owner's person id
    owner_manager: str | None
    kpi: str | None
    public: bool


def open_exceptions(engine: Engine) -> list[OpenException]:
    """The demo's open exceptions, oldest first."""
    x = m.PerformanceException
    with session_scope(engine) as session:
        people = {p.id: p for p in session.execute(select(m.Person)).scalars()}
        rows = session.execute(
            select(x.id, x.owner_id, m.Kpi.slug, m.Kpi.public)
            .outerjoin(m.Kpi, m.Kpi.id == x.kpi_id)
            .where(x.closed_at.is_(None))
            .order_by(x.id)
        ).all()
        found = []
        for row in rows:
            owner = people[row.owner_id]
            manager = people.get(owner.manager_id) if owner.manager_id else None
            found.append(
                OpenException(
                    row.id,
                    owner.slug,
                    manager.slug if manager else None,
                    row.slug,
                    bool(row.public),
                )
            )
        return found


def settle_clock(engine: Engine) -> None:
    """Date the demo's exceptions and events the day before NOW, the app's clock.

    The demo is evaluated as of DAY, but its events carry the time the build ran; a timeline
    would then put an acknowledgement made at NOW before the exception's opening.
    """
    before = NOW - timedelta(days=1)
    with session_scope(engine) as session:
        session.execute(update(m.ChannelEvent).values(at=before))
        session.execute(
            update(m.PerformanceException)
            .values(opened_at=before, level_since=before, closed_at=None)
            .where(m.PerformanceException.closed_at.is_(None))
        )


def account_for(engine: Engine, person: str) -> str:
    """A sign-in (with the demo password) for a person of the demo; its email."""
    with session_scope(engine) as session:
        email = session.execute(select(m.Person.email).where(m.Person.slug == person)).scalar_one()
        if find_account(session=session, email=email) is None:
            create_account(session=session, email=email, now=NOW, person=person, password=PASSWORD)
    return str(email).lower()


def fill_inboxes(engine: Engine, demo: WebDemo) -> None:
    """Dispatch the demo's events and deliver the messages to people's in-app inboxes."""
    dispatch_events(engine, demo.settings, now=NOW)
    deliver_due(
        engine=engine,
        transports={"inbox": InboxTransport(engine)},
        worker="tests",
        now=lambda: NOW,
        limit=10_000,
    )


def inbox_ids(engine: Engine, person: str) -> list[int]:
    """The ids of a person's inbox items, newest first."""
    with session_scope(engine) as session:
        return list(
            session.execute(
                select(m.InboxItem.id)
                .join(m.Person, m.Person.id == m.InboxItem.person_id)
                .where(m.Person.slug == person)
                .order_by(m.InboxItem.created_at.desc(), m.InboxItem.id.desc())
            ).scalars()
        )


def post_form(
    client: TestClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any
) -> Response:
    """POST a form the way a page does, with the session's CSRF token."""
    form = {"csrf_token": csrf_of(client), **(data or {})}
    return client.post(path, data=form, follow_redirects=False, **kwargs)
