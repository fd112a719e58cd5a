"""Who hears of a status change: a unit's slice and the whole KPI have different audiences."""

from __future__ import annotations

from datetime import UTC, datetime

from channel_org import build_org
from sqlalchemy import Engine, select

from aligna import model as m
from aligna.channels.events import write_events
from aligna.channels.recipients import Audience
from aligna.db import session_scope
from aligna.enums import EventKind, Role

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_a_slice_is_told_to_its_own_people_and_the_whole_kpi_to_its_own(engine: Engine) -> None:
    org = build_org(engine)
    with session_scope(engine) as session:
        north = m.Unit(slug="north", name="North", kind="team", parent_id=org.unit)
        session.add(north)
        session.flush()
        session.add_all(
            [
                # Max is accountable for North's slice, Nia contributes to it; Vic contributes
                # to the whole KPI.
                m.ScorecardItem(
                    person_id=org.max, kpi_id=org.kpi, unit_id=north.id, role=Role.accountable
                ),
                m.ScorecardItem(
                    person_id=org.nia, kpi_id=org.kpi, unit_id=north.id, role=Role.contributor
                ),
                m.ScorecardItem(person_id=org.vic, kpi_id=org.kpi, role=Role.contributor),
            ]
        )
        changed = {"kind": EventKind.status_changed, "at": NOW, "kpi_id": org.kpi}
        write_events(
            session,
            [
                changed | {"unit_id": north.id, "status_from": "on_track", "status_to": "at_risk"},
                changed | {"status_from": "at_risk", "status_to": "off_track"},
            ],
        )
    with session_scope(engine) as session:
        events = list(session.scalars(select(m.ChannelEvent).order_by(m.ChannelEvent.id)))
        audience = Audience(session, events)
        slugs = dict(session.execute(select(m.Person.id, m.Person.slug)).all())
        told = [
            [(slugs[r.person_id], str(r.role), r.reason) for r in audience.recipients(e)]
            for e in events
        ]
    assert told[0] == [
        ("max", "owner", "you are accountable for it"),
        ("ines", "influencer", "you influence it (cross-functional)"),
        ("nia", "influencer", "it is on your scorecard as contributor"),
        ("fred", "follower", "you follow it"),
    ]
    assert told[1] == [
        ("olga", "owner", "you are accountable for it"),
        ("vic", "influencer", "it is on your scorecard as contributor"),
        ("ines", "influencer", "you influence it (cross-functional)"),
        ("fred", "follower", "you follow it"),
    ]


def test_a_restricted_kpi_is_told_only_to_whoever_may_see_it(engine: Engine) -> None:
    org = build_org(engine)
    with session_scope(engine) as session:
        north = m.Unit(slug="north", name="North", kind="team", parent_id=org.unit)
        session.add(north)
        session.flush()
        # Restricted to Nia and to the North team; Vic belongs to North as an extra team.
        session.add_all(
            [
                m.KpiAccess(kpi_id=org.kpi, person_id=org.nia),
                m.KpiAccess(kpi_id=org.kpi, unit_id=north.id),
                m.TeamMembership(person_id=org.vic, unit_id=north.id),
                m.Follow(person_id=org.nia, kpi_id=org.kpi),
                m.Follow(person_id=org.vic, kpi_id=org.kpi),
                m.Follow(person_id=org.cleo, kpi_id=org.kpi),
                m.KpiInfluencer(kpi_id=org.kpi, person_id=org.max, kind="lateral"),
            ]
        )
        account = m.Account(person_id=org.cleo, email="cleo@example.org")
        session.add(account)
        session.flush()
        session.add(m.AccountRole(account_id=account.id, role="strategy_office"))
        write_events(
            session,
            [
                {
                    "kind": EventKind.status_changed,
                    "at": NOW,
                    "kpi_id": org.kpi,
                    "status_from": "on_track",
                    "status_to": "off_track",
                }
            ],
        )
    with session_scope(engine) as session:
        events = list(session.scalars(select(m.ChannelEvent)))
        slugs = dict(session.execute(select(m.Person.id, m.Person.slug)).all())
        told = [
            (slugs[r.person_id], str(r.role))
            for r in Audience(session, events).recipients(events[0])
        ]
    # Olga owns it. Ines influences it and Fred follows it, but neither may see it any more;
    # nor may Max, named influencer or not. Nia is named, Vic is in North, Cleo is strategy office.
    assert told == [
        ("olga", "owner"),
        ("cleo", "follower"),
        ("vic", "follower"),
        ("nia", "follower"),
    ]
