"""Milestones due soon are reminded of once per due date, to the initiative's people."""

from __future__ import annotations

from datetime import UTC, date, datetime

from channel_org import build_org
from sqlalchemy import Engine, select

from aligna import model as m
from aligna.channels.dispatch import dispatch_events
from aligna.channels.reminders import remind
from aligna.db import session_scope
from aligna.settings import Settings

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


def test_due_within_seven_days_and_unfinished_is_reminded_once(engine: Engine) -> None:
    org = build_org(engine)
    with session_scope(engine) as session:
        initiative = m.Initiative(
            slug="new-carrier",
            name="New carrier",
            owner_id=org.max,
            unit_id=org.unit,
            start_date=date(2026, 9, 1),
            end_date=date(2027, 3, 31),
        )
        session.add(initiative)
        session.flush()
        session.add(m.InitiativeContributor(initiative_id=initiative.id, person_id=org.olga))
        for slug, due, done in (
            ("contract", date(2026, 11, 25), 40.0),  # today: reminded
            ("pilot", date(2026, 12, 2), 0.0),  # in 7 days: reminded
            ("rollout", date(2026, 12, 3), 0.0),  # in 8 days: not yet
            ("tender", date(2026, 11, 27), 100.0),  # done: nothing to remind
            ("kickoff", date(2026, 11, 20), 50.0),  # past: an overdue exception, not this
        ):
            session.add(
                m.Milestone(
                    initiative_id=initiative.id,
                    slug=slug,
                    name=slug.title(),
                    due=due,
                    percent_complete=done,
                )
            )
    settings = Settings(public_url="https://a.example")
    assert remind(engine, settings, now=NOW) == {"due_soon": 2, "reminded": 2}
    assert remind(engine, settings, now=NOW) == {"due_soon": 2, "reminded": 0}
    with session_scope(engine) as session:
        details = sorted(
            session.scalars(
                select(m.ChannelEvent.detail).where(m.ChannelEvent.kind == "milestone_due_soon")
            )
        )
    assert details == [
        "Contract is due on 2026-11-25 (today) and is not complete yet.",
        "Pilot is due on 2026-12-02 (in 7 days) and is not complete yet.",
    ]
    dispatch_events(engine, settings, now=NOW)
    with session_scope(engine) as session:
        told = session.execute(
            select(m.Person.slug, m.Notification.role, m.Notification.delivery)
            .join(m.Person, m.Person.id == m.Notification.person_id)
            .order_by(m.Notification.id)
        ).all()
        subjects = sorted(session.scalars(select(m.Message.subject)))
    # The owner reads it in the daily digest, the contributor in the weekly one (defaults).
    assert [(p, str(r), str(d)) for p, r, d in told] == [
        ("max", "owner", "daily"),
        ("olga", "influencer", "weekly"),
    ] * 2
    assert subjects == []  # nobody chose to hear of it at once
