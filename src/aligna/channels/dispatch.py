"""Dispatching events: who hears of each, how (by their preferences), and the messages to send.

Each batch is one transaction: the events are claimed (skipping those another dispatcher holds
on PostgreSQL), their notifications and immediate messages are written, and the events are
marked dispatched. A crash before the commit leaves the events to the next run; after it,
nothing is written twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.channels.compose import Names, compose
from aligna.channels.outbox import NewMessage, enqueue
from aligna.channels.preferences import load_preferences
from aligna.channels.recipients import Audience, Recipient
from aligna.db import session_scope
from aligna.enums import Delivery, EventKind, RecipientRole, TransportName
from aligna.settings import Settings

BATCH = 500
# What a unit's Apprise destination hears of unless it lists kinds of its own: the exceptions
# that need someone, and their end.
UNIT_DEFAULT_EVENTS = (
    EventKind.exception_opened,
    EventKind.exception_escalated,
    EventKind.commitment_missed,
    EventKind.exception_resolved,
)


@dataclass
class DispatchSummary:
    """What dispatching did."""

    events: int = 0
    notifications: int = 0
    messages: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def dispatch_events(
    engine: Engine, settings: Settings, *, now: datetime, batch: int = BATCH
) -> DispatchSummary:
    """Dispatch every event not yet dispatched, a batch per transaction."""
    summary = DispatchSummary()
    destinations: _Destinations | None = None  # read once a run, not once a batch
    while True:
        with session_scope(engine) as session:
            events = _claim(session, batch, now)
            if not events:
                break
            if destinations is None:
                destinations = _destinations(session)
            _dispatch(session, settings, events, now, summary, destinations)
        if len(events) < batch:
            break
    return summary


def _claim(session: Session, batch: int, now: datetime) -> list[m.ChannelEvent]:
    """Mark the oldest undispatched events dispatched and return them, in the caller's
    transaction: if it rolls back, they are undispatched again.

    The claim is a write from the start: on PostgreSQL the rows another dispatcher holds are
    skipped; on SQLite the write lock serialises dispatchers (a read first would not, since
    SQLite reads outside a transaction until the first write).
    """
    e = m.ChannelEvent
    candidates = (
        select(e.id)
        .where(e.dispatched_at.is_(None))
        .order_by(e.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
        .cte("undispatched")  # run once, like the outbox's claim (see outbox.claim)
    )
    ids = list(
        session.execute(
            update(e)
            .where(e.id.in_(select(candidates.c.id)), e.dispatched_at.is_(None))
            .values(dispatched_at=now)
            .returning(e.id)
            .execution_options(synchronize_session=False)
        ).scalars()
    )
    if not ids:
        return []
    return list(session.scalars(select(e).where(e.id.in_(ids)).order_by(e.id)))


def _dispatch(
    session: Session,
    settings: Settings,
    events: Sequence[m.ChannelEvent],
    now: datetime,
    summary: DispatchSummary,
    destinations: _Destinations,
) -> None:
    audience = Audience(session, events)
    names = Names(session, events)
    told = {e.id: audience.recipients(e) for e in events}
    people = {r.person_id for rs in told.values() for r in rs}
    preferences = load_preferences(session, people)
    names.read_people(
        session,
        [e.actor_person_id for e in events if e.actor_person_id is not None],
    )
    emails = _emails(session, people) if settings.smtp_host else {}
    notifications: list[dict[str, object]] = []
    messages: list[NewMessage] = []
    for event in events:
        summary.by_kind[event.kind] = summary.by_kind.get(event.kind, 0) + 1
        for recipient in told[event.id]:
            delivery = preferences.delivery(recipient.person_id, event.kind, recipient.role)
            if delivery is Delivery.off:
                continue
            notifications.append(
                {
                    "event_id": event.id,
                    "person_id": recipient.person_id,
                    "role": recipient.role,
                    "delivery": delivery,
                    "created_at": now,
                }
            )
            if delivery is Delivery.immediately:
                messages.extend(
                    _immediate(event, recipient, names, settings, emails, destinations.people)
                )
        messages.extend(_for_units(event, names, settings, destinations, audience))
    if notifications:
        session.execute(insert(m.Notification), notifications)
    summary.messages += enqueue(session=session, messages=messages, now=now)
    summary.notifications += len(notifications)
    summary.events += len(events)


def _immediate(
    event: m.ChannelEvent,
    recipient: Recipient,
    names: Names,
    settings: Settings,
    emails: dict[int, str],
    person_destinations: dict[int, list[m.AppriseDestination]],
) -> list[NewMessage]:
    """The messages telling one person of one event now: inbox, email, their Apprise URLs."""
    text = compose(event, recipient, names, public_url=settings.public_url, org=settings.name)
    key = f"event:{event.id}:person:{recipient.person_id}"
    common = {
        "person_id": recipient.person_id,
        "subject": text.subject,
        "body_text": text.text,
        "event_kind": event.kind,
        "link": text.link,
    }
    inbox = common | {"subject": text.headline, "body_text": text.summary}
    out = [NewMessage(idempotency_key=f"{key}:inbox", transport=TransportName.inbox, **inbox)]
    if emails.get(recipient.person_id):
        out.append(
            NewMessage(
                idempotency_key=f"{key}:email",
                transport=TransportName.email,
                body_html=text.html,
                **common,
            )
        )
    for destination in person_destinations.get(recipient.person_id, []):
        if destination.events and event.kind not in destination.events:
            continue
        out.append(
            NewMessage(
                idempotency_key=f"event:{event.id}:destination:{destination.id}",
                transport=TransportName.apprise,
                destination_id=destination.id,
                **common,
            )
        )
    return out


def _for_units(
    event: m.ChannelEvent,
    names: Names,
    settings: Settings,
    destinations: _Destinations,
    audience: Audience,
) -> list[NewMessage]:
    """The messages to the Apprise destinations of the item's unit and the units above it."""
    if not destinations.units:
        return []
    unit = destinations.item_unit(event)
    out: list[NewMessage] = []
    seen: set[int] = set()
    while unit is not None and unit not in seen:
        seen.add(unit)
        for destination in destinations.units.get(unit, []):
            kinds = destination.events or list(UNIT_DEFAULT_EVENTS)
            if event.kind not in kinds:
                continue
            owner = audience.owner_of(event)
            reason = Recipient(owner or 0, RecipientRole.follower, "it concerns your unit")
            text = compose(event, reason, names, public_url=settings.public_url, org=settings.name)
            out.append(
                NewMessage(
                    idempotency_key=f"event:{event.id}:destination:{destination.id}",
                    person_id=None,
                    destination_id=destination.id,
                    transport=TransportName.apprise,
                    subject=text.subject,
                    body_text=text.text,
                    event_kind=event.kind,
                    link=text.link,
                )
            )
        unit = destinations.parent.get(unit)
    return out


@dataclass
class _Destinations:
    """The Apprise destinations, by person and by unit, with what units items belong to."""

    people: dict[int, list[m.AppriseDestination]]
    units: dict[int, list[m.AppriseDestination]]
    parent: dict[int, int | None]
    kpi_unit: dict[int, int]
    initiative_unit: dict[int, int | None]

    def item_unit(self, event: m.ChannelEvent) -> int | None:
        """The unit an event's item belongs to (a slice's own unit first)."""
        if event.unit_id is not None:
            return event.unit_id
        if event.kpi_id is not None:
            return self.kpi_unit.get(event.kpi_id)
        if event.initiative_id is not None:
            return self.initiative_unit.get(event.initiative_id)
        return None


def _destinations(session: Session) -> _Destinations:
    rows = list(
        session.scalars(select(m.AppriseDestination).order_by(m.AppriseDestination.position))
    )
    people: dict[int, list[m.AppriseDestination]] = {}
    units: dict[int, list[m.AppriseDestination]] = {}
    for row in rows:
        if row.person_id is not None:
            people.setdefault(row.person_id, []).append(row)
        elif row.unit_id is not None:
            units.setdefault(row.unit_id, []).append(row)
    parent: dict[int, int | None] = {}
    kpi_unit: dict[int, int] = {}
    initiative_unit: dict[int, int | None] = {}
    if units:  # only then is the unit tree needed
        parent = dict(session.execute(select(m.Unit.id, m.Unit.parent_id)))
        kpi_unit = dict(session.execute(select(m.Kpi.id, m.Kpi.unit_id)))
        initiative_unit = dict(session.execute(select(m.Initiative.id, m.Initiative.unit_id)).all())
    return _Destinations(people, units, parent, kpi_unit, initiative_unit)


def _emails(session: Session, people: set[int]) -> dict[int, str]:
    """The email addresses of the people told (live people with one)."""
    ids = sorted(people)
    found: dict[int, str] = {}
    for start in range(0, len(ids), BATCH):
        rows = session.execute(
            select(m.Person.id, m.Person.email).where(
                m.Person.id.in_(ids[start : start + BATCH]), m.Person.archived_at.is_(None)
            )
        )
        found.update({i: e for i, e in rows if e})
    return found
